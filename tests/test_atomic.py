"""Atomic writes: old or new bytes, never a mix; mode, BOM, line endings and symlinks kept."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import steplint
from steplint.atomic import write_atomic

OLD = "# old\r\nlr: 3.0e-4\r\n"
NEW = "# old\r\nlr: 1.0e-5\r\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "cfg.yaml"
    path.write_bytes(OLD.encode())
    return path


def test_text_is_written_verbatim(config: Path):
    write_atomic(str(config), NEW.rstrip("\r\n"))
    assert config.read_bytes() == NEW.rstrip("\r\n").encode()  # CRLF kept, no newline added


def test_bom_is_written_back(config: Path):
    write_atomic(str(config), NEW, bom=True)
    assert config.read_bytes() == b"\xef\xbb\xbf" + NEW.encode()


def test_newline_converts_text_built_from_scratch(config: Path):
    write_atomic(str(config), "a: 1\nb: 2\n", newline="\r\n")
    assert config.read_bytes() == b"a: 1\r\nb: 2\r\n"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_mode_is_kept(config: Path, mode: int):
    config.chmod(mode)
    write_atomic(str(config), NEW)
    assert (config.stat().st_mode & 0o7777) == mode


def test_symlink_is_followed_and_kept(tmp_path: Path):
    real_dir = tmp_path / "shared"
    real_dir.mkdir()
    target = real_dir / "base.yaml"
    target.write_text(OLD)
    link = tmp_path / "run.yaml"
    link.symlink_to(os.path.relpath(target, tmp_path))
    written = write_atomic(str(link), NEW)
    assert link.is_symlink() and written == str(target.resolve())
    assert target.read_bytes() == NEW.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.yaml", "shared"]  # no temp beside the link


def test_new_file_gets_the_umask_mode_not_mkstemp_0600(tmp_path: Path):
    path = tmp_path / "fresh.yaml"
    old = os.umask(0o022)
    try:
        write_atomic(str(path), NEW)
    finally:
        os.umask(old)
    assert path.read_bytes() == NEW.encode() and (path.stat().st_mode & 0o777) == 0o644


class _Boom(OSError):
    pass


def _fail(*args, **kwargs):
    raise _Boom("injected")


class _HalfWriter:
    """A file object that writes half of what it is given, then fails (disk full)."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        self._fh.write(data[: len(data) // 2])
        self._fh.flush()
        raise _Boom("disk full")

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


@pytest.mark.parametrize("step", ["write", "flush_fsync", "chmod", "replace"])
def test_a_failure_at_any_step_leaves_the_old_file(config: Path, monkeypatch, step: str):
    if step == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _HalfWriter(real_fdopen(fd, *a, **k)))
    elif step == "flush_fsync":
        monkeypatch.setattr(os, "fsync", _fail)
    elif step == "chmod":
        monkeypatch.setattr(os, "chmod", _fail)
    else:
        monkeypatch.setattr(os, "replace", _fail)
    with pytest.raises(_Boom):
        write_atomic(str(config), NEW * 1000)
    assert config.read_bytes() == OLD.encode()
    assert [p.name for p in config.parent.iterdir()] == ["cfg.yaml"]  # temp file removed


def test_a_failing_folder_fsync_after_the_rename_keeps_the_new_file(config: Path, monkeypatch):
    real_fsync = os.fsync
    real_open = os.open
    folder_fds = set()

    def tracking_open(path, flags, *args):
        fd = real_open(path, flags, *args)
        if os.path.isdir(path):
            folder_fds.add(fd)
        return fd

    def fsync(fd):
        if fd in folder_fds:
            raise _Boom("folder fsync unsupported")
        return real_fsync(fd)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(str(config), NEW)
    assert folder_fds and config.read_bytes() == NEW.encode()


_WRITER = """
import sys
from steplint.atomic import write_atomic
path, size = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
i = 0
while True:
    write_atomic(path, ("AB"[i % 2]) * size)
    i += 1
"""


@pytest.mark.slow
def test_killing_the_writer_mid_write_never_leaves_a_partial_file(tmp_path: Path):
    """SIGKILL a process that rewrites a 4 MiB file in a loop, at several moments: the file
    is always one complete version."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL")
    size = 4 * 1024 * 1024
    path = tmp_path / "big.yaml"
    path.write_bytes(b"A" * size)
    env = dict(os.environ, PYTHONPATH=str(Path(steplint.__file__).resolve().parents[1]))
    versions = {b"A" * size, b"B" * size}
    seen = set()
    for delay in (0.05, 0.11, 0.17, 0.23, 0.31, 0.43):
        child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(size)], env=env,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        data = path.read_bytes()
        assert data in versions, f"partial file after SIGKILL at {delay}s: {len(data)} bytes"
        seen.add(data[:1])
        for leftover in tmp_path.glob(".big.yaml.*"):  # a killed writer may leave its temp file
            leftover.unlink()
    assert seen  # the loop ran; which version survives depends on timing


def test_a_read_only_file_is_not_replaced(config: Path):
    config.chmod(0o444)
    with pytest.raises(PermissionError):
        write_atomic(str(config), NEW)
    assert config.read_bytes() == OLD.encode()


def test_a_second_bom_is_text_and_is_written_back(config: Path):
    """`bom` says one BOM was removed when the file was decoded; a U+FEFF left at the start
    of the text is content and is written too (it used to be taken for the BOM and dropped)."""
    from steplint.atomic import original_bytes

    write_atomic(str(config), "\ufeff" + NEW, bom=True)
    assert config.read_bytes() == b"\xef\xbb\xbf\xef\xbb\xbf" + NEW.encode()
    assert original_bytes("\ufeff" + NEW, True) == config.read_bytes()


def test_a_save_between_the_check_and_the_rename_is_put_back(config: Path, monkeypatch):
    """The window a check before the rename leaves: a save that lands after the check and
    before the rename (a writer holding the old file open) must not be replaced unseen."""
    import steplint.atomic as atomic
    from steplint.atomic import ChangedOnDisk, digest

    expect = digest(config.read_bytes())
    real_replace = os.replace

    def save_then_rename(src, dst):
        if str(src).endswith(".steplint.tmp"):  # steplint's rename: the user's save lands first
            with open(config, "ab") as fh:
                fh.write(b"# saved by the user\r\n")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", save_then_rename)
    with pytest.raises(ChangedOnDisk):
        write_atomic(str(config), NEW, expect=expect)
    assert config.read_bytes() == (OLD + "# saved by the user\r\n").encode()
    assert sorted(p.name for p in config.parent.iterdir()) == ["cfg.yaml"]  # nothing left behind


def test_without_hard_links_the_check_before_the_rename_still_holds(config: Path, monkeypatch):
    import steplint.atomic as atomic
    from steplint.atomic import ChangedOnDisk, digest

    def no_links(src, dst):
        raise PermissionError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(atomic.os, "link", no_links)
    write_atomic(str(config), NEW, expect=digest(OLD.encode()))
    assert config.read_bytes() == NEW.encode()
    with pytest.raises(ChangedOnDisk):
        write_atomic(str(config), OLD, expect=digest(OLD.encode()))  # it holds NEW now
    assert config.read_bytes() == NEW.encode()
    assert sorted(p.name for p in config.parent.iterdir()) == ["cfg.yaml"]
