"""`predict --law`, `show --law all`, `check --law NAME` (at most info) on the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

from click.testing import CliRunner

from steplint.cli import cli

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "megatron_gpt_800m.yaml")
KEYS = {"law", "lr", "batch_tokens", "batch_sequences", "ratio_lr", "ratio_batch", "inputs", "note"}


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_predict_law_all_json_lists_every_law():
    r = run("predict", "--params", "1e9", "--tokens", "1e11", "--law", "all", "--format", "json")
    doc = json.loads(r.output)
    laws = doc["laws"]
    assert [x["law"] for x in laws] == ["steplaw", "deepseek", "porian", "kaplan", "minicpm"]
    assert all(KEYS <= set(x) for x in laws)
    assert laws[0]["lr"] == doc["lr"] and laws[0]["ratio_lr"] == 1.0
    assert math.isclose(laws[1]["lr"], 0.3118 * 6e20 ** -0.125)
    assert laws[4]["lr"] is None and "target loss" in laws[4]["note"]


def test_predict_one_law_and_a_loss():
    doc = json.loads(run("predict", "--params", "1e9", "--tokens", "1e11", "--law", "minicpm", "--loss", "2.5",
                         "--format", "json").output)
    assert [x["law"] for x in doc["laws"]] == ["steplaw", "minicpm"]
    assert math.isclose(doc["laws"][1]["batch_tokens"], 1.21e9 / 2.5 ** 6.24)
    assert "laws" not in json.loads(run("predict", "--params", "1e9", "--tokens", "1e11", "--format", "json").output)


def test_predict_text_table():
    out = run("predict", "--params", "1e9", "--tokens", "1e11", "--law", "all").output
    assert "DeepSeek LLM" in out and "MiniCPM" in out and "ratio" not in out.split("laws side by side")[0]


def test_show_law_all_uses_the_configs_own_shape():
    doc = json.loads(run("show", "--isolated", "--law", "all", "--format", "json", EXAMPLE).output)
    laws = {x["law"]: x for x in doc["recipes"][0]["laws"]}
    n, d = 805_306_368, 26_214_400_000
    c = (6 * n + 12 * 16 * 2048 * 2048) * d
    assert math.isclose(laws["deepseek"]["lr"], 0.3118 * c ** -0.125)
    assert math.isclose(laws["deepseek"]["batch_tokens"], 0.2920 * c ** 0.3271)
    assert laws["deepseek"]["approximate"] is False
    assert "laws" not in json.loads(run("show", "--isolated", "--format", "json", EXAMPLE).output)["recipes"][0]


def test_check_against_another_law_is_info_only(tmp_path):
    base = run("check", "--isolated", "--output-format", "json", EXAMPLE)
    judged = [d for d in json.loads(base.output)["diagnostics"] if d["code"] in ("SL302", "SL303")]
    assert any(d["severity"] == "warning" for d in judged)  # Step Law itself is loud here
    settings = tmp_path / "s.toml"
    settings.write_text('[severity]\nSL302 = "error"\n')  # even a raised severity stays info
    for extra in ((), ("--config", str(settings))):
        r = run("check", *extra, "--law", "deepseek", "--output-format", "json", EXAMPLE)
        found = [d for d in json.loads(r.output)["diagnostics"] if d["code"] in ("SL302", "SL303")]
        assert found and all(d["severity"] == "info" for d in found), found
        assert any("DeepSeek LLM optimum" in d["message"] for d in found)


def test_check_law_rejects_all():
    assert run("check", "--isolated", "--law", "all", EXAMPLE).exit_code == 2


def test_law_json_validates_against_the_schemas():
    import jsonschema

    schemas = Path(__file__).resolve().parents[2] / "schemas"
    predict = json.loads((schemas / "predict.schema.json").read_text())
    show = json.loads((schemas / "show.schema.json").read_text())
    for law in ("all", "deepseek"):
        doc = json.loads(run("predict", "--params", "1e9", "--tokens", "1e11", "--law", law, "--format", "json").output)
        jsonschema.validate(doc, predict)
        doc = json.loads(run("show", "--isolated", "--law", law, "--format", "json", EXAMPLE).output)
        jsonschema.validate(doc, show)
        assert doc["recipes"][0]["laws"]
    bad = dict(doc["recipes"][0]["laws"][0], law="chinchilla")
    doc["recipes"][0]["laws"][0] = bad
    try:
        jsonschema.validate(doc, show)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("the schema accepts an unknown law name")


def test_check_against_a_law_that_needs_a_loss_says_so():
    r = run("check", "--isolated", "--law", "minicpm", "--output-format", "json", EXAMPLE)
    found = [d for d in json.loads(r.output)["diagnostics"] if d["code"] in ("SL302", "SL303")]
    assert {d["code"] for d in found} == {"SL302", "SL303"}
    assert all(d["severity"] == "info" and "target loss" in d["message"] for d in found)
