"""`--fix` never loses a concurrent edit (issue 15 item 4): right before the atomic
replace the file must still hold the bytes that were read (a content hash, not the
mtime); otherwise it is left alone, said on stderr, exit 2, and the other files of the
run are still fixed."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from steplint.cli import cli

OFF = Path(__file__).resolve().parents[1] / "fixtures" / "check" / "off_optimum.yaml"


def check(*args):
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    return runner.invoke(cli, ["check", "--isolated", "--select", "SL301", *args])


def test_an_edit_saved_while_fixing_is_kept_and_the_other_file_is_still_fixed(tmp_path, monkeypatch):
    import steplint.fixing

    edited, other = tmp_path / "edited.yaml", tmp_path / "other.yaml"
    for path in (edited, other):
        path.write_text(OFF.read_text())
    user_text = OFF.read_text().replace("lr: 3.0e-4", "lr: 2.0e-4") + "# saved by the user\n"
    real_apply = steplint.fixing.apply_fixes

    def apply_then_user_saves(diagnostics, documents, **kw):
        result = real_apply(diagnostics, documents, **kw)
        if str(edited) in documents:  # the user saves between steplint's read and its write
            edited.write_text(user_text)
        return result

    monkeypatch.setattr(steplint.fixing, "apply_fixes", apply_then_user_saves)
    r = check(str(edited), str(other), "--fix")
    assert r.exit_code == 2, r.output
    assert edited.read_text() == user_text  # the concurrent edit survives
    assert f"{edited}: changed on disk while steplint was fixing it" in r.stderr
    assert "min_lr: 1.0e-5" in other.read_text()  # the other file proceeds


def test_same_size_same_second_edit_is_caught_by_the_hash(tmp_path, monkeypatch):
    """An edit of equal length inside one mtime tick: only the content tells."""
    import os

    import steplint.fixing

    cfg = tmp_path / "c.yaml"
    cfg.write_text(OFF.read_text())
    stat = cfg.stat()
    real_apply = steplint.fixing.apply_fixes

    def apply_then_swap(diagnostics, documents, **kw):
        result = real_apply(diagnostics, documents, **kw)
        cfg.write_text(OFF.read_text().replace("3.0e-4", "4.0e-4"))
        os.utime(cfg, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        return result

    monkeypatch.setattr(steplint.fixing, "apply_fixes", apply_then_swap)
    r = check(str(cfg), "--fix")
    assert r.exit_code == 2 and "4.0e-4" in cfg.read_text() and "min_lr: 1.0e-5" not in cfg.read_text()


def test_a_writer_racing_the_fixer_never_loses_its_edit(tmp_path):
    """A real race: a thread saves the file at a random moment while `check --fix` runs.
    Whatever the timing, the saved text must be in the file afterwards (the fixer either
    read it and fixed on top of it, or left the file alone)."""
    rng = random.Random(15)
    cfg = tmp_path / "c.yaml"
    outcomes = set()
    for round_ in range(12):
        cfg.write_text(OFF.read_text())
        marker = f"# edit {round_}\n"

        def writer():
            time.sleep(rng.uniform(0, 0.03))
            text = cfg.read_text()
            cfg.write_text(text + marker)

        thread = threading.Thread(target=writer)
        thread.start()
        r = check(str(cfg), "--fix")
        thread.join()
        assert r.exit_code in (0, 2), r.output
        assert cfg.read_text().endswith(marker), f"round {round_}: the writer's edit was lost"
        outcomes.add(r.exit_code)
    assert outcomes  # which timings occurred varies with the machine; no loss in any
