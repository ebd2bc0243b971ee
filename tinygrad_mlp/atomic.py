"""Writing files and folders so that a crash, a full disk or Ctrl-C never leaves half of one.

- `write_file(path, data)`: the bytes go to a temporary file beside the target, which is then
  renamed over it (`os.replace`, atomic). A symlink at `path` is followed (its target is
  updated); a FIFO, device, socket or folder at `path` is refused (`NotARegularFileError`) and
  never replaced; an existing file keeps its permissions; any valid file name works (the
  temporary name is kept short).
- `staged_folder(path, overwrite)`: a folder built under a temporary name and moved into place
  at the end, so `path` holds the old folder or the new one, never a mix.

A temporary file or folder is locked (`flock`) while it is being written; a later write to the
same path removes the ones whose writer is gone (a killed process holds no lock).

>>> import os, tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> path = os.path.join(folder.name, "notes.txt")
>>> write_file(path, b"first")
>>> write_file(path, b"second")
>>> open(path, "rb").read(), os.listdir(folder.name)
(b'second', ['notes.txt'])
>>> folder.cleanup()
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import secrets
import shutil
import stat
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are then left alone
    fcntl = None  # type: ignore[assignment]

__all__ = ["NotARegularFileError", "FolderNotEmptyError", "write_file", "staged_folder"]


class NotARegularFileError(OSError):
    """Something other than a regular file (a FIFO, a device, a socket) sits at the path."""


class FolderNotEmptyError(FileExistsError):
    """The target folder (`folder`) already holds files and overwriting was not asked for."""

    folder: str = ""


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


def _target(path: str) -> tuple[str, os.stat_result | None]:
    """The file a write to `path` should replace (symlinks followed) and its status, if any."""
    target = os.path.realpath(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return target, None
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        shown = path if target == os.path.abspath(path) else f"{path} (-> {target})"
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(f"cannot write {shown}: it is a folder")
        raise NotARegularFileError(f"cannot write {shown}: it is {kind}, not a regular file")
    return target, info


def _prefix(target: str) -> str:
    """The start of every temporary name for `target`: short whatever the name's length."""
    name = os.path.basename(target)
    short = name.encode()[:80].decode(errors="ignore")
    digest = hashlib.sha256(name.encode(errors="surrogateescape")).hexdigest()[:8]
    return f".{short}.{digest}."


def _lock(fd: int) -> bool:
    """Take the exclusive lock on `fd` without waiting; False if another process holds it."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove_leftovers(folder: str, prefix: str) -> None:
    """Remove the temporary files and folders of earlier writes whose writer has died."""
    if fcntl is None:
        return
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        leftover = os.path.join(folder, name)
        try:
            info = os.lstat(leftover)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
                continue
            fd = os.open(leftover, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if _lock(fd):  # nobody is writing it any more
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    os.unlink(leftover)
        except OSError:
            pass
        finally:
            os.close(fd)


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically: the old file stays whole until the new one is.

    Raises FileNotFoundError when the folder is missing, IsADirectoryError for a folder and
    `NotARegularFileError` for a FIFO, device or socket at `path`.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path}: folder {folder} does not exist")
    target, info = _target(path)
    folder = os.path.dirname(target)
    prefix = _prefix(target)
    _remove_leftovers(folder, prefix)
    tmp = os.path.join(folder, f"{prefix}{secrets.token_hex(4)}.tmp")
    # O_EXCL: a fresh file of ours; mode 0o666 and the umask, like open(), for a new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        try:
            _lock(fd)
            if info is not None:
                os.fchmod(fd, stat.S_IMODE(info.st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _exchange(a: str, b: str) -> bool:
    """Swap the two paths in one step (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    name = ctypes.util.find_library("c")
    try:
        renameat2 = ctypes.CDLL(name, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, f"cannot move {a} to {b}: {os.strerror(code)}")


@contextlib.contextmanager
def staged_folder(path: str | os.PathLike[str], overwrite: bool = False) -> Iterator[str]:
    """Yield a fresh temporary folder beside `path`; on success, move it to `path`.

    An existing non-empty `path` is refused (`FolderNotEmptyError`) unless `overwrite`; it is
    then replaced whole, in one step where the system can swap two folders (Linux), so that
    `path` holds either the old run or the new one. If the block fails, `path` is untouched
    and the temporary folder is removed.

    >>> import os, tempfile
    >>> root = tempfile.TemporaryDirectory()
    >>> out = os.path.join(root.name, "run")
    >>> with staged_folder(out) as folder:
    ...     open(os.path.join(folder, "a.txt"), "w").close()
    >>> os.listdir(out), os.listdir(root.name)
    (['a.txt'], ['run'])
    >>> root.cleanup()
    """
    shown = os.fspath(path)
    path = os.path.abspath(shown)
    if os.path.lexists(path) and not os.path.isdir(path):
        raise NotADirectoryError(f"cannot write to output folder {shown}: it is not a folder")
    if os.path.isdir(path) and os.listdir(path) and not overwrite:
        error = FolderNotEmptyError(
            f"output folder {shown} already holds files; choose another folder or allow "
            f"overwriting it"
        )
        error.folder = shown
        raise error
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot write to output folder {shown}: {exc.strerror or exc}") from None
    prefix = _prefix(path)
    _remove_leftovers(parent, prefix)
    tmp = os.path.join(parent, f"{prefix}{secrets.token_hex(4)}.tmp")
    try:
        os.mkdir(tmp)
    except OSError as exc:
        raise OSError(f"cannot write to output folder {shown}: {exc.strerror or exc}") from None
    fd = os.open(tmp, os.O_RDONLY)
    try:
        _lock(fd)
        try:
            yield tmp
            if not os.path.isdir(path):
                os.rename(tmp, path)
            elif _exchange(tmp, path):  # tmp now holds the old run
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                old = os.path.join(parent, f"{prefix}{secrets.token_hex(4)}.tmp")
                os.rename(path, old)
                os.rename(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        os.close(fd)
