"""scripts/realworld_sweep.py: the pure parts on small fixtures, one end-to-end run on a tiny
git mirror made here, and (opt-in) the full sweep over the fetched public mirror."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, load_script

sweep = load_script("realworld_sweep")
HEX = "0123456789abcdef0123456789abcdef01234567"

# A NeoX-format config written for these tests (format of
# https://github.com/EleutherAI/gpt-neox/blob/main/configs/125M.yml: hyphenated keys, optimizer block).
NEOX = """\
{
  "pipe-parallel-size": 1,
  "model-parallel-size": 1,
  "num-layers": 12,
  "hidden-size": 768,
  "num-attention-heads": 12,
  "seq-length": 2048,
  "max-position-embeddings": 2048,
  "optimizer": {"type": "Adam", "params": {"lr": 0.0006, "betas": [0.9, 0.95], "eps": 1.0e-8}},
  "min_lr": 0.00006,
  "train_micro_batch_size_per_gpu": 32,
  "gradient_accumulation_steps": 1,
  "train-iters": 143000,
  "lr-decay-iters": 143000,
  "lr-decay-style": "cosine",
  "warmup": 0.01,
}
"""


def entry(**kw):
    base = {"repo": "o/r", "commit": HEX, "path": "a.yml"}
    base.update(kw)
    return base


# ------------------------------------------------------------------ manifest


def test_manifest_parses_groups_args_and_stated():
    entries = sweep.parse_manifest({"files": [
        entry(path="x/a.yml", group=["g1", "g2"], args={"world-size": 32, "source": "README:1"},
              stated={"tokens": {"value": 3e11, "source": "README:2"}}),
        entry(path="x/b.yml", group="g1"),
    ]})
    a, b = entries
    assert a.groups == ("g1", "g2") and b.groups == ("g1",)
    assert a.args == ("--world-size", "32")
    assert a.stated[0][0] == "tokens"


@pytest.mark.parametrize("bad, words", [
    (entry(commit="abc"), "40 lowercase hex"),
    (entry(path="../etc/passwd"), "relative"),
    (entry(args={"world-size": 8}), "source"),
    (entry(stated={"tokens": {"value": 1}}), "source"),
    (entry(group=[""]), "group"),
])
def test_manifest_errors_name_the_entry(bad, words):
    with pytest.raises(sweep.ManifestError) as exc:
        sweep.parse_manifest({"files": [entry(path="ok.yml"), bad]})
    assert "files[1]" in str(exc.value) and words in str(exc.value)


def test_manifest_rejects_duplicates_and_empty():
    with pytest.raises(sweep.ManifestError, match="twice"):
        sweep.parse_manifest({"files": [entry(), entry()]})
    with pytest.raises(sweep.ManifestError, match="no 'files'"):
        sweep.parse_manifest({"files": []})


def test_committed_manifest_is_valid_and_large_enough():
    data = json.loads((REPO_ROOT / "scripts" / "realworld" / "manifest.json").read_text())
    entries = sweep.parse_manifest(data)
    assert len(entries) >= 300
    assert len({e.repo for e in entries}) >= 12
    assert sum(len(e.stated) for e in entries) >= 30
    for e in entries:
        for _, fact in e.stated:
            assert fact["source"].startswith("https://github.com/")


# ------------------------------------------------------------------ planning and commands


def test_plan_batches_by_flags_and_declares_multi_file_groups():
    entries = sweep.parse_manifest({"files": [
        entry(path="a.yml", group=["g"]), entry(path="b.yml", group=["g", "h"]),
        entry(path="c.yml", group=["lonely"]),
        entry(path="d.yml", args={"world-size": 8, "source": "s"}),
    ]})
    units = sweep.plan_units(entries)
    plain = next(u for u in units if not u.args)
    flagged = next(u for u in units if u.args)
    assert plain.paths == ("a.yml", "b.yml", "c.yml")
    assert plain.recipes == (("a.yml", "b.yml"),)  # a one-file group is no recipe
    assert flagged.paths == ("d.yml",) and flagged.args == ("--world-size", "8")


def test_split_unit_keeps_recipes_whole():
    unit = sweep.Unit(("a", "b", "c"), (("a", "b"),), ())
    parts = sweep.split_unit(unit)
    assert [p.paths for p in parts] == [("a", "b"), ("c",)]
    assert sweep.split_unit(sweep.Unit(("a",), (), ())) == [sweep.Unit(("a",), (), ())]


def test_command_shape():
    unit = sweep.Unit(("a.yml", "b.json"), (("a.yml", "b.json"),), ("--world-size", "8"))
    cmd = sweep.command(["steplint"], "show", unit)
    assert cmd[:5] == ["steplint", "show", "--format", "json", "--isolated"]
    assert cmd[cmd.index("--recipe") + 1] == "a.yml,b.json"
    assert cmd[-3:] == ["--", "a.yml", "b.json"]
    assert "--output-format" in sweep.command(["steplint"], "check", unit)


@pytest.mark.parametrize("run, crashed", [
    (sweep.Run(0, "{}", "", 0.1), False),
    (sweep.Run(1, '{"diagnostics": []}', "", 0.1), False),
    (sweep.Run(2, "", "Error: No such option: --params", 0.1), True),
    (sweep.Run(1, "{}", "Traceback (most recent call last):\n  boom", 0.1), True),
    (sweep.Run(0, "not json", "", 0.1), True),
    (sweep.Run(-9, "", "timed out", 0.1), True),
])
def test_is_crash(run, crashed):
    assert bool(sweep.is_crash(run, "show")) is crashed


# ------------------------------------------------------------------ parsing steplint's JSON


SHOW = {"steplint": "0", "diagnostics": [], "recipes": [
    {"files": ["./x/a.yml", "x/b.json"], "dialects": ["hf-training-args", "deepspeed"],
     "facts": {"tokens": {"value": 1e9, "unit": "tokens", "source": {"kind": "key", "key": "max_steps"}},
               "init": {"value": "finetune", "unit": "name", "source": {"kind": "key", "key": "peft"}},
               "hidden_size": {"value": 8, "unit": "count", "source": {"kind": "key", "key": "h"}}},
     "missing": [{"field": "n_params", "supply": "--params"}]},
    {"files": ["x/b.json"], "dialects": ["deepspeed"], "facts": {}, "missing": []}]}
CHECK = {"steplint": "0", "summary": {}, "diagnostics": [
    {"code": "SL302", "severity": "error", "file": "./x/a.yml", "line": 3, "message": "m"},
    {"code": "SL005", "severity": "info", "file": "x/b.json", "line": 1, "message": "i"}]}


def test_parse_show_keeps_contract_facts_and_first_recipe():
    shown = sweep.parse_show(json.dumps(SHOW))
    assert shown["x/a.yml"]["facts"]["tokens"] == {"value": 1e9, "kind": "key", "key": "max_steps"}
    assert "hidden_size" not in shown["x/a.yml"]["facts"]
    assert shown["x/b.json"]["recipe"] == ["x/a.yml", "x/b.json"]  # its first recipe
    assert shown["x/a.yml"]["missing"] == ["n_params"]


def test_parse_check_groups_by_file():
    checked = sweep.parse_check(json.dumps(CHECK))
    assert [d["code"] for d in checked["x/a.yml"]] == ["SL302"]
    assert checked["x/b.json"][0]["severity"] == "info"


@pytest.mark.parametrize("stated, derived, mark", [
    ({"value": 100, "source": "s"}, {"value": 101}, "right"),
    ({"value": 100, "source": "s"}, {"value": 110}, "wrong"),
    ({"value": 100, "source": "s", "tolerance": 0.2}, {"value": 110}, "right"),
    ({"value": 100, "source": "s"}, None, "missing"),
    ({"value": 100, "source": "s", "not_in_file": "1ep"}, None, "missing-expected"),
    ({"value": 100, "source": "s", "not_in_file": "1ep"}, {"value": 100}, "right"),
    ({"value": "checkpoint", "source": "s"}, {"value": "scratch"}, "wrong"),
    ({"value": 100, "source": "s", "disagree": "file says 200"}, {"value": 200}, "repo-inconsistent"),
])
def test_compare_fact(stated, derived, mark):
    assert sweep.compare_fact(stated, derived)["mark"] == mark


# ------------------------------------------------------------------ summary, compare, report


def _results():
    return {
        ("o/r", "a.yml"): {"dialects": ["neox"], "facts": {"init": {"value": "scratch"}}, "crash": None,
                           "diagnostics": [{"code": "SL302", "severity": "error", "line": 3, "message": "lr"},
                                           {"code": "SL005", "severity": "info", "line": 1, "message": "i"}],
                           "checks": [{"field": "tokens", "mark": "right", "stated": 1, "derived": 1,
                                       "error": 0.0, "source": "README:1", "note": ""}], "seconds": 0.5},
        ("o/r", "b.yml"): {"dialects": [], "facts": {}, "crash": "exit 2: boom (show)",
                           "diagnostics": [], "checks": [], "seconds": 0.5},
    }


def test_summarize_counts_loud_findings_crashes_and_facts():
    entries = [sweep.Entry("o/r", HEX, "a.yml"), sweep.Entry("o/r", HEX, "b.yml")]
    s = sweep.summarize(entries, _results(), {"steplint_version": "x"})
    assert s["per_code"] == {"SL302": {"error": 1}}
    assert s["crashes"] == 1 and s["facts_checked"] == 1 and s["facts_right"] == 1
    assert s["per_repo"]["o/r"]["init"] == {"scratch": 1, "(absent)": 1}
    assert s["per_file"]["o/r:a.yml"]["loud"] == ["SL302:error:3"]


def test_compare_summaries_prints_deltas_and_changed_files():
    before = {"per_code": {"SL302": {"error": 5}}, "files": 2, "crashes": 0,
              "per_file": {"o/r:a": {"loud": ["SL302:error:3"], "init": "(absent)"}}}
    after = {"per_code": {"SL305": {"warning": 1}}, "files": 2, "crashes": 0,
             "per_file": {"o/r:a": {"loud": [], "init": "checkpoint"}}}
    text = "\n".join(sweep.compare_summaries(before, after))
    assert "SL302    error          5       0      -5" in text
    assert "SL305    warning        0       1      +1" in text
    assert "init changes: (absent) -> checkpoint 1" in text
    assert "o/r:a: SL302 -> - (init (absent) -> checkpoint)" in text


def test_report_carries_judgements_crashes_and_fact_rows():
    entries = [sweep.Entry("o/r", HEX, "a.yml"), sweep.Entry("o/r", HEX, "b.yml")]
    results = _results()
    s = sweep.summarize(entries, results, {"steplint_version": "x", "seconds": 1.0})
    judgements = {"o/r|SL302": {"verdict": "wrong", "text": "an anneal"},
                  "*|SL302": {"verdict": "overconfident", "text": "extrapolated"}}
    md = sweep.render_report(s, results, judgements)
    assert "| SL302 error | 1 | `a.yml:3`: lr | **wrong**: an anneal |" in md
    assert "| SL302 | 0 | 1 | overconfident: extrapolated |" in md
    assert "crash: `b.yml`: exit 2: boom (show)" in md
    assert "| o/r | `a.yml` | tokens |" in md


# ------------------------------------------------------------------ the script end to end


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def _tiny_mirror(tmp_path: Path) -> tuple:
    """A bare mirror `<mirror>/o+r/repo` holding two files, as the fetch tool lays it out."""
    work = tmp_path / "work"
    (work / "configs").mkdir(parents=True)
    (work / "configs" / "neox.yml").write_text(NEOX)
    (work / "configs" / "broken.yml").write_text("a: [1, 2\n")
    _git("init", "-q", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-qm", "fixtures", cwd=work)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True,
                            text=True, check=True).stdout.strip()
    mirror = tmp_path / "mirror"
    (mirror / "o+r").mkdir(parents=True)
    _git("clone", "-q", "--bare", str(work), str(mirror / "o+r" / "repo"), cwd=tmp_path)
    return mirror, commit


def test_missing_mirror_is_exit_2_with_a_message(tmp_path, capsys):
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"files": [entry()]}))
    rc = sweep.main(["--manifest", str(manifest), "--mirror", str(tmp_path / "none"),
                     "--summary", str(tmp_path / "s.json"), "--report", str(tmp_path / "r.md")])
    assert rc == 2
    assert "lacks 1 repositories (o/r)" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()


def test_sweep_end_to_end_on_a_tiny_mirror(tmp_path):
    mirror, commit = _tiny_mirror(tmp_path)
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"files": [
        {"repo": "o/r", "commit": commit, "path": "configs/neox.yml",
         "args": {"world-size": 32, "source": "test"},
         "stated": {"global_batch_sequences": {"value": 1024, "source": "this test"}}},
        {"repo": "o/r", "commit": commit, "path": "configs/broken.yml"}]}))
    summary, report, results = tmp_path / "s.json", tmp_path / "r.md", tmp_path / "res.json"
    rc = sweep.main(["--manifest", str(manifest), "--mirror", str(mirror),
                     "--steplint", f"{sys.executable} -m steplint", "--judgements", str(tmp_path / "none.json"),
                     "--summary", str(summary), "--report", str(report), "--results", str(results)])
    assert rc == 0
    s = json.loads(summary.read_text())
    assert s["files"] == 2 and s["crashes"] == 0
    assert s["per_file"]["o/r:configs/neox.yml"]["dialects"] == ["neox"]
    assert s["per_file"]["o/r:configs/neox.yml"]["facts"]["global_batch_sequences"] == 1024
    assert s["facts_right"] == 1
    assert [c.split(":")[0] for c in s["per_file"]["o/r:configs/broken.yml"]["loud"]] == ["SL001"]
    assert "### o/r" in report.read_text()
    # --compare against itself: no change
    out = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "realworld_sweep.py"),
                          "--compare", str(summary), "--summary", str(summary)],
                         capture_output=True, text=True, check=True).stdout
    assert "files whose loud codes changed: 0" in out and "init changes: none" in out
    # a judgement edited afterwards reaches the report without running steplint again
    judged = tmp_path / "j.json"
    judged.write_text(json.dumps({"o/r|SL001": {"verdict": "right", "text": "broken on purpose"}}))
    again = tmp_path / "r2.md"
    assert sweep.main(["--manifest", str(manifest), "--from-results", str(results), "--judgements", str(judged),
                       "--summary", str(tmp_path / "s2.json"), "--report", str(again)]) == 0
    assert "**right**: broken on purpose" in again.read_text()
    assert json.loads((tmp_path / "s2.json").read_text())["per_code"] == s["per_code"]


# ------------------------------------------------------------------ the full sweep (opt-in)


@pytest.mark.realworld
def test_full_sweep_over_the_public_mirror(tmp_path):
    if os.environ.get("STEPLINT_REALWORLD") != "1":
        pytest.skip("the full real-world sweep takes minutes: opt in with STEPLINT_REALWORLD=1")
    mirror = Path(os.environ.get("STEPLINT_MIRROR", "/work/.mirror"))
    entries = sweep.parse_manifest(json.loads((REPO_ROOT / "scripts/realworld/manifest.json").read_text()))
    absent = {e.repo for e in entries if not sweep.git_dir(mirror, e.repo).is_dir()}
    if absent:
        pytest.skip(f"the mirror {mirror} lacks {len(absent)} repositories (fetch them first)")
    rc = sweep.main(["--mirror", str(mirror), "--steplint", f"{sys.executable} -m steplint",
                     "--summary", str(tmp_path / "s.json"), "--report", str(tmp_path / "r.md")])
    assert rc == 0
    assert json.loads((tmp_path / "s.json").read_text())["crashes"] == 0
