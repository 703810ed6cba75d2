"""The console entry (`steplint.cli.main`): exit status, flushed output, a closed pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from steplint import cli
from steplint.cli import exit_status

REPO = Path(__file__).resolve().parents[1]
OFF = str(REPO / "tests" / "fixtures" / "check" / "off_optimum.yaml")
ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "steplint", *args], capture_output=True, text=True,
                          env=ENV, cwd=REPO, **kwargs)


@pytest.mark.parametrize("code, status", [(None, 0), (0, 0), (1, 1), (2, 2), (130, 130)])
def test_exit_status_follows_the_interpreter(code, status):
    assert exit_status(code) == status


def test_exit_status_of_a_message_is_one_and_prints_it(capsys):
    assert exit_status("steplint: gone") == 1
    assert capsys.readouterr().err == "steplint: gone\n"


def test_main_exits_with_the_commands_code_and_flushes_the_whole_report():
    r = run("check", "--isolated", "--output-format", "json", OFF)
    assert r.returncode == 1, r.stderr
    assert r.stdout.rstrip().endswith("}") and '"SL302"' in r.stdout  # all of it, not a cut buffer
    assert r.stderr == ""


def test_main_exit_codes_zero_and_two():
    assert run("--version").returncode == 0
    r = run("check", "--no-such-flag")
    assert r.returncode == 2 and "no-such-flag" in r.stderr


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback(tmp_path):
    """`steplint check dir | head -1` with a report larger than the pipe's buffer: the
    report is cut, and neither a traceback nor an internal error follows."""
    text = Path(OFF).read_text(encoding="utf-8")
    for i in range(200):  # ~150 KB of findings
        (tmp_path / f"c{i:03d}.yaml").write_text(text, encoding="utf-8")
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"], stdin=subprocess.PIPE)
    writer = subprocess.run([sys.executable, "-m", "steplint", "check", "--isolated", str(tmp_path)],
                            stdout=reader.stdin, stderr=subprocess.PIPE, text=True, env=ENV, cwd=REPO, timeout=120)
    reader.stdin.close()
    reader.wait(timeout=60)
    assert "Traceback" not in writer.stderr and "internal error" not in writer.stderr, writer.stderr
    assert writer.returncode == 1  # the findings' verdict stands


@pytest.mark.parametrize("missing", ["stdout", "stderr"])
def test_hard_exit_without_a_stream_still_exits_with_the_code(monkeypatch, missing):
    """A process started with fd 1 or 2 closed (`steplint ... >&-`, pythonw) has
    `sys.stdout`/`sys.stderr` None: nothing to flush, and the exit code stands."""
    exits = []
    monkeypatch.setattr(sys, missing, None)
    monkeypatch.setattr(os, "_exit", exits.append)
    cli.hard_exit(3)
    assert exits == [3]


@pytest.mark.skipif(sys.platform == "win32", reason="closes a POSIX file descriptor in the child")
@pytest.mark.parametrize("fd, args, status", [
    (1, ("--version",), 0),
    (2, ("check", "--isolated", str(REPO / "tests" / "fixtures" / "check" / "optimal.yaml")), 0),
])
def test_main_with_a_closed_standard_stream_keeps_its_exit_code(fd, args, status):
    r = run(*args, preexec_fn=lambda: os.close(fd))
    assert "Traceback" not in r.stdout + r.stderr
    assert r.returncode == status
