"""Replacing a file so that a crash at any moment leaves either the old or the new bytes.

The new content goes to a temporary file in the target's own folder (same filesystem, so
`os.replace` is an atomic rename, POSIX rename(2)), is flushed and fsynced, takes the
old file's mode, replaces the target, and the folder is fsynced so the rename itself
survives a power cut. A symlink is resolved first: the target file is rewritten and the
link stays a link (replacing the link by a regular file would break setups that share one
config between recipes). A hard link is not kept: the name gets a new inode, as with
most editors' safe save.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from typing import Optional

BOM = "\ufeff"


class ChangedOnDisk(OSError):
    """The file no longer holds what was read: someone edited it while steplint worked.
    It is left alone (their edit wins; run again to fix the new text)."""


def digest(data: bytes) -> str:
    """The content hash `write_atomic(expect=...)` compares (mtime alone misses an edit
    made within the filesystem's timestamp granularity)."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def original_bytes(text: str, bom: bool) -> bytes:
    """The bytes a Document was decoded from (steplint keeps line endings verbatim). One BOM
    is removed when a file is decoded; a second U+FEFF is text and stays in `text`."""
    return ((BOM if bom else "") + text).encode("utf-8")


def write_atomic(path: str, text: str, *, bom: bool = False, newline: Optional[str] = None,
                 expect: Optional[str] = None) -> str:
    """Write `text` (UTF-8, re-adding a BOM when the original had one) to `path` atomically.

    The text is written verbatim: a fix spliced into the original text keeps its CRLF
    lines and its final newline as they were. `newline`, when given, converts bare `\\n`
    line breaks (for text built from scratch). `expect`, when given, is the `digest` of
    the bytes the caller read: right before the rename the file is read again, and if it
    changed (a concurrent edit) ChangedOnDisk is raised and the file is left as it is.
    Returns the real path written. Raises OSError with the path in the message; the
    original is then untouched."""
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    if newline and newline != "\n":
        text = text.replace("\r\n", "\n").replace("\n", newline)
    data = original_bytes(text, bom)
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    if old is not None and (not old.st_mode & 0o222 or not os.access(real, os.W_OK)):
        # a rename would get past a read-only file's mode (even for root); respect it instead
        raise PermissionError(errno.EACCES, "the file is read-only", real)
    mode = stat.S_IMODE(old.st_mode) if old else 0o666 & ~_umask()  # new file: what open() gives
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".steplint.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600
        if old is not None and (old.st_uid, old.st_gid) != _owner(tmp):
            _keep_owner(tmp, old)
        if expect is None:
            os.replace(tmp, real)
        else:
            _replace_unless_changed(tmp, real, expect, folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)
    return real


def _replace_unless_changed(tmp: str, real: str, expect: str, folder: str) -> None:
    """Rename `tmp` over `real` only if `real` still holds the bytes whose digest is
    `expect`; else raise ChangedOnDisk and leave `real` as the other writer left it.

    A check right before the rename leaves a window: a save landing between the check and
    the rename would be replaced unseen. So a second name (a hard link) holds on to the
    file being replaced, and after the rename its content is checked again: a save that
    reached it in the window (a writer that opened the file before the rename writes to
    that inode) is put back in place. Where hard links are not supported, the check before
    the rename is all there is."""
    changed = ChangedOnDisk(errno.EAGAIN, "the file changed on disk while steplint was fixing it", real)
    held = os.path.join(folder, f"{os.path.basename(tmp)}.held")
    try:
        os.link(real, held)
    except FileNotFoundError:  # deleted meanwhile
        raise changed from None
    except OSError:  # no hard links here (FAT, some network filesystems)
        if _current_digest(real) != expect:
            raise changed from None
        os.replace(tmp, real)
        return
    try:
        if _current_digest(held) != expect:
            raise changed
        os.replace(tmp, real)
        if _current_digest(held) != expect:  # saved between the check and the rename
            os.replace(held, real)
            raise changed
    finally:
        try:
            os.unlink(held)
        except FileNotFoundError:  # put back in place above
            pass


def _current_digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            return digest(fh.read())
    except FileNotFoundError:
        return None


def _owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


def _keep_owner(path: str, old: os.stat_result) -> None:
    """Keep owner and group when allowed (root fixing a user's file); otherwise the file
    gets the writer's, as any editor's save would."""
    try:
        os.chown(path, old.st_uid, old.st_gid)
    except (OSError, AttributeError):
        pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_folder(folder: str) -> None:
    """Make the rename durable. Not possible on every platform (Windows opens no folders);
    the file itself is already complete by then, so failing here loses nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
