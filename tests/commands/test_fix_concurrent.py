"""`--fix` never loses a concurrent edit (issue 15 item 4): right before the atomic
replace the file must still hold the bytes that were read (a content hash, not the
mtime); otherwise it is left alone, said on stderr, exit 2, and the other files of the
run are still fixed."""

from __future__ import annotations

import random
import re
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


def test_a_second_bom_is_text_not_a_concurrent_edit(tmp_path):
    """Decoding removes one BOM; a second U+FEFF is text. It must survive the fix's re-parse,
    the bytes compared before the replace and the bytes written; before, the re-parse took
    it for the BOM and every such file read as edited meanwhile (exit 2; fuzz campaign seed
    22, input 56598: a Megatron launch script whose unsafe LR fix was refused)."""
    script = tmp_path / "train.sh"
    body = ("#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --hidden-size 2048 --num-attention-heads 16 "
            "--seq-length 2048 --micro-batch-size 4 --global-batch-size 256 --lr 3.0e-4 --min-lr 1.0e-5 "
            "--lr-decay-style cosine --train-iters 100000\n")
    script.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + body.encode())
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    r = runner.invoke(cli, ["check", "--isolated", "--select", "SL302", "--fix", "--unsafe-fixes", str(script)])
    assert "changed on disk" not in r.stderr and r.exit_code == 0, r.output + r.stderr
    fixed = script.read_bytes()
    new_lr = re.search(rb"--lr (\S+)", fixed).group(1).decode()
    assert new_lr != "3.0e-4"  # the LR was fixed, and nothing else changed: both U+FEFF kept
    assert fixed == b"\xef\xbb\xbf\xef\xbb\xbf" + body.replace("--lr 3.0e-4", f"--lr {new_lr}").encode()
