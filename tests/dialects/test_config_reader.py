"""The typed reader the modern dialects share, and the promise behind it: bad values are
SL004 findings at their key, never exceptions."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from steplint.dialects import axolotl, levanter, litgpt, llama_factory, maxtext, nanotron, olmo, torchtitan
from steplint.dialects.base import ExtractContext, Extraction
from steplint.dialects.config_reader import ConfigReader, as_number, never_raises
from steplint.documents.load import load_document

MODERN = (torchtitan, olmo, litgpt, nanotron, axolotl, llama_factory, maxtext, levanter)


@pytest.mark.parametrize(("raw", "number"), [
    (3, 3), (2.5, 2.5), ("5e-4", 5e-4), ("739_328", 739328), ("6E-4", 6e-4), (".5", 0.5),
    (True, None), ("abc", None), (None, None), ("1e4T", None),
])
def test_as_number(raw, number):
    assert as_number(raw) == number


def reader(text: str) -> ConfigReader:
    return ConfigReader(load_document("c.yaml", text=text), "test framework 1.0")


def test_typed_reads_report_bad_values_at_their_key():
    r = reader("a: 0\nb: 1.5\nc: abc\nd: 2.0\ne: 1.2\nf: .inf\ng: ${x}\n")
    assert r.count("a") is None and r.integer("b") is None and r.number("c") is None
    assert r.count("d").value == 2 and r.fraction("e") is None and r.number("f") is None
    assert r.number("g") is None  # an interpolation is not a bad value
    assert [(d.code, d.line) for d in r.diagnostics] == [("SL004", 1), ("SL004", 2), ("SL004", 3), ("SL004", 5),
                                                         ("SL004", 6)]
    default = r.count_or_default("missing", 7, "why")
    assert default.value == 7 and default.source.framework == "test framework 1.0"


def test_last_duplicate_wins_when_the_loader_says_so():
    text = "m:\n  k: 1\n  k: 2\n"
    assert reader(text).number("m.k").value == 1
    doc = load_document("c.yaml", text=text)
    assert ConfigReader(doc, "f", last_duplicate_wins=True).number("m.k").value == 2


def test_never_raises_turns_an_error_into_one_finding():
    @never_raises("demo", "demo config")
    def extract(doc, ctx):
        return Extraction(dialect="demo", file=doc.path, facts={"x": 1 // 0})

    out = extract(load_document("c.yaml", text="a: 1\n"), ExtractContext())
    assert [d.code for d in out.diagnostics] == ["SL004"] and "division" in out.diagnostics[0].message


_FIXTURES = sorted(p for p in (FIXTURES / "modern").iterdir() if p.is_file())
_YAML_VALUE = re.compile(r"^(\s*-?\s*[\w.\-]+:\s)(.*)$")
_TOML_VALUE = re.compile(r"^(\s*[\w.]+\s*=\s*)(.*)$")
_YAML_JUNK = ["abc", "-1", "0", "1e999", "[1, 2]", "{a: 1}", "null", "true", "-5", "nan", "''", "0.5", "3e12",
              "2e12T", "-3ep"]
_TOML_JUNK = ['"x"', "-1", "0", "1e308", "[1, 2]", "{a = 1}", "true", "-5", "nan", "inf", "0.5"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixture=st.sampled_from(_FIXTURES), data=st.data())
def test_no_value_makes_a_dialect_raise(fixture, data):
    lines = fixture.read_text().splitlines()
    toml = fixture.suffix == ".toml"
    pattern, junk = (_TOML_VALUE, _TOML_JUNK) if toml else (_YAML_VALUE, _YAML_JUNK)
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(lines) - 1))
        match = pattern.match(lines[i])
        if match:
            lines[i] = match.group(1) + data.draw(st.sampled_from(junk))
    doc = load_document(str(fixture), text="\n".join(lines) + "\n")
    world = data.draw(st.sampled_from([None, 1, 7]))
    for module in MODERN:
        module.detect(doc)
        extraction = module.extract(doc, ExtractContext(world_size=world))
        assert all(d.code == "SL004" for d in extraction.diagnostics)


HUGE = "1" + "0" * 400  # float() refuses it: OverflowError, not a number


def test_huge_integers_are_bad_values_not_crashes():
    r = reader(f"a: {HUGE}\nb: 9223372036854775808\nc: 9223372036854775807\nd: 1.0e+300\n")
    assert r.count("a") is None and r.number("b") is None and r.number("d") is None
    assert r.count("c").value == 2**63 - 1
    assert [(d.code, d.line) for d in r.diagnostics] == [("SL004", 1), ("SL004", 2), ("SL004", 4)]
    assert "401-digit integer is too large" in r.diagnostics[0].message
    assert as_number("1" + "0" * 5000) == float("inf")  # int() refuses 4,300+ digits


def test_hostile_huge_number_json_is_sl004_exit_1(tmp_path):
    """The acceptance case: a 400-digit train_batch_size and a negative accumulation."""
    import json

    from click.testing import CliRunner

    from steplint.cli import cli

    path = tmp_path / "huge-num.json"
    path.write_text('{"train_batch_size": ' + HUGE + ', "gradient_accumulation_steps": -1}')
    result = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(path)])
    assert result.exit_code == 1 and "internal error" not in result.output
    found = [(d["code"], d["line"], d["column"]) for d in json.loads(result.output)["diagnostics"]]
    assert ("SL004", 1, 22) in found and ("SL004", 1, 456) in found  # both values, at their columns


@pytest.mark.parametrize("text", [
    '{"model_type": "llama", "hidden_size": ' + HUGE + ', "num_hidden_layers": 2, "num_attention_heads": 4}',
    '{"train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 4, "train_batch_size": 9.9e300}',
])
def test_huge_numbers_in_other_readers_never_crash_a_check(tmp_path, text):
    from click.testing import CliRunner

    from steplint.cli import cli

    path = tmp_path / "config.json"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["check", "--isolated", str(path)])
    assert result.exit_code in (0, 1) and "internal error" not in result.output, result.output
