"""`check --add-ignore`: the next run is clean, only comments changed, values read the same,
and files that take no comment are named with a settings snippet."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from steplint.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "megatron_gpt_800m.yaml"
SHELL = REPO / "tests" / "fixtures" / "megatron" / "swiglu_mqa.sh"

CONTINUED = """#!/bin/bash
torchrun --nproc_per_node 8 pretrain_gpt.py \\
    --num-layers 16 --hidden-size 2048 --num-attention-heads 16 \\
    --seq-length 2048 --max-position-embeddings 2048 \\
    --micro-batch-size 4 --global-batch-size 512 \\
    --train-iters 25000 \\
    --lr 3e-4 \\
    --min-lr 3e-5 \\
    --lr-decay-style cosine --lr-warmup-iters 2000
"""


def run(*args):
    return CliRunner().invoke(cli, ["check", "--isolated", *map(str, args)])


def no_comments(text: str) -> list[str]:
    return [re.sub(r"\s*#.*$", "", ln).rstrip() for ln in text.splitlines() if re.sub(r"\s*#.*$", "", ln).strip()]


def test_yaml_next_run_clean_and_values_unchanged(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    shutil.copy(EXAMPLE, cfg)
    before = cfg.read_text()
    assert run(cfg).exit_code == 1
    r = run("--add-ignore", cfg)
    assert r.exit_code == 0 and "Added" in r.output
    after = cfg.read_text()
    assert after != before and no_comments(after) == no_comments(before)
    assert yaml.safe_load(after) == yaml.safe_load(before)
    clean = run("--output-format", "json", cfg)
    assert clean.exit_code == 0 and json.loads(clean.output)["diagnostics"] == []
    assert "# steplint: ignore[SL302]" in after


def test_shell_continuation_gets_the_directive_above_the_command(tmp_path):
    sh = tmp_path / "train.sh"
    sh.write_text(CONTINUED)
    assert run(sh).exit_code == 1
    assert run("--add-ignore", sh).exit_code == 0
    after = sh.read_text()
    assert no_comments(after) == no_comments(CONTINUED)
    lines = after.splitlines()
    assert lines[2] == "# steplint: ignore[SL301, SL302, SL303]"  # one directive for the command
    assert lines[0] == "#!/bin/bash" and all(not ln.rstrip().endswith("\\") or "#" not in ln for ln in lines)
    assert run(sh).exit_code == 0
    if shutil.which("bash"):
        assert subprocess.run(["bash", "-n", str(sh)]).returncode == 0


def test_shell_array_lines_get_trailing_directives(tmp_path):
    sh = tmp_path / "run.sh"
    shutil.copy(SHELL, sh)
    r = run("--world-size", "16", "--add-ignore", sh)
    assert r.exit_code == 0
    assert "--global-batch-size 512  # steplint: ignore[SL303]" in sh.read_text()
    # the stale directive already in the file is SL008, which no comment can silence: a snippet
    assert '[tool.steplint.per-file-ignores]\n"' in r.output and '["SL008"]' in r.output
    left = run("--world-size", "16", "--output-format", "json", sh)
    assert {d["code"] for d in json.loads(left.output)["diagnostics"]} == {"SL008"}


def test_toml_and_json(tmp_path):
    toml = tmp_path / "train.toml"
    toml.write_text('[job]\ndescription = "a # inside"\n[training]\nlr = 8e-3  # high\nsteps = 1000\nseq_len = 2048\n'
                    '[optimizer]\nname = "AdamW"\nlr = 8e-3\n')
    ds = tmp_path / "ds.json"
    ds.write_text('{"train_batch_size": 256, "train_micro_batch_size_per_gpu": 3, "gradient_accumulation_steps": 1}\n')
    r0 = run("--world-size", "8", "--output-format", "json", "--exit-zero", toml, ds)
    codes = {(Path(d["file"]).name, d["code"]) for d in json.loads(r0.output)["diagnostics"]}
    assert any(name == "ds.json" for name, _ in codes)
    before = toml.read_text()
    r = run("--world-size", "8", "--add-ignore", toml, ds)
    assert r.exit_code == 0
    assert "ds.json" in r.output and "per-file-ignores" in r.output
    after = toml.read_text()
    try:
        import tomllib as tl
    except ImportError:  # Python 3.10
        import tomli as tl
    assert tl.loads(after) == tl.loads(before)
    left = json.loads(run("--world-size", "8", "--output-format", "json", "--exit-zero", toml, ds).output)["diagnostics"]
    assert all(Path(d["file"]).name == "ds.json" for d in left)


def test_stdin_is_refused():
    r = CliRunner().invoke(cli, ["check", "--isolated", "--add-ignore", "-"], input="lr: 1\n")
    assert r.exit_code == 2 and "stdin" in r.output


def test_inside_a_multi_line_string_the_directive_goes_above():
    from steplint.baseline import plan_file
    from steplint.diagnostics import Diagnostic, Severity
    from steplint.documents.load import load_document

    text = 'a: 1\nnote: "first\n  second"\nblock: |\n  keep # this\nb: 2\n'
    doc = load_document("x.yaml", text=text)
    found = [Diagnostic("SL302", "steplaw-lr", Severity.WARNING, "m", "x.yaml", 2, 7),
             Diagnostic("SL303", "steplaw-batch", Severity.WARNING, "m", "x.yaml", 5, 3)]
    plan = plan_file(doc, found)
    assert plan.added == 1
    assert yaml.safe_load(plan.text) == yaml.safe_load(text)
    lines = plan.text.splitlines()
    assert lines[1] == "# steplint: ignore[SL302]" and lines[2] == 'note: "first'
    # line 5 is block-scalar content: any comment there would be text, and a directive above
    # the key covers the key's line only: left for per-file ignores, the block untouched
    assert plan.leftover == ("SL303",) and "block: |\n  keep # this\n" in plan.text
