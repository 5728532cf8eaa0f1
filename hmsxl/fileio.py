"""Atomic output: a reader of the target never sees a half-written file, or a half-written set."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
from pathlib import Path


def atomic_write_bytes(target, data: bytes) -> Path:
    """Write `data` to a temporary file beside `target`, then rename it into place."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(target.name), suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def atomic_write_files(directory, files: dict[str, bytes], replaces=frozenset()) -> list[Path]:
    """Write a set of files into `directory` so that an interruption leaves the old set
    or the new one, never a mix: the files are written to a temporary folder beside it,
    which is then renamed into place. When `directory` already holds files of its own,
    the new files are moved in with interrupts held back until all are there. Files named
    in `replaces` (an earlier set's) that the new set has not are removed with it: left,
    they would look as current as the rest.

    A folder given through a link is written where the link points. Where a folder beside
    it cannot be made or renamed into it (the folder is a share's root, the one above it
    is not ours to write, it is on another disk), the files are written inside it and
    moved into place, interrupts held back."""
    directory = Path(os.path.realpath(directory))
    parent = directory.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(directory.name), suffix=".tmp", dir=parent))
    except OSError as exc:
        if exc.errno not in _NOT_BESIDE or not directory.is_dir():
            raise
        return _write_inside(directory, files, replaces)
    try:
        _write_all(tmp, files)
        existing = {p.name for p in directory.iterdir()} if directory.is_dir() else None
        stale = (existing or set()) & set(replaces) - set(files)
        if existing is None or not existing:
            os.rename(tmp, directory)  # onto nothing, or onto an empty folder: atomic
        elif existing <= set(files) | set(replaces) and all((directory / n).is_file() for n in existing):
            # A previous export of the same set: swap the folders, then drop the old one.
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(directory.name), suffix=".old", dir=parent))
            with _interrupts_held():  # between the two renames there is no folder at all
                os.rename(directory, old / directory.name)
                os.rename(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            _move_in(tmp, directory, files, stale)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno not in _NOT_BESIDE or not directory.is_dir():
            raise
        return _write_inside(directory, files, replaces)  # nothing was moved: every rename above fails first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [directory / name for name in files]


# Why a folder cannot be written beside and renamed into place: not ours to write, a
# mount point, another disk.
_NOT_BESIDE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, errno.EXDEV})


def _write_all(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        with open(folder / name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(folder / name, 0o644)
    os.chmod(folder, 0o755)


def _move_in(tmp: Path, directory: Path, files, stale) -> None:
    """The files written in `tmp` moved into `directory`, and the `stale` ones removed, all
    at once as far as an interrupt can tell."""
    with _interrupts_held():
        for name in files:
            os.replace(tmp / name, directory / name)
        for name in stale:
            (directory / name).unlink(missing_ok=True)
    os.rmdir(tmp)


def _write_inside(directory: Path, files: dict[str, bytes], replaces) -> list[Path]:
    """`atomic_write_files` inside the folder: each file whole, all moved in at once."""
    tmp = Path(tempfile.mkdtemp(prefix=".hmsxl-", suffix=".tmp", dir=directory))
    try:
        _write_all(tmp, files)
        _move_in(tmp, directory, files, {p.name for p in directory.iterdir()} & set(replaces) - set(files))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [directory / name for name in files]


def _temp_prefix(name: str) -> str:
    """A temporary name's start: the target's name, cut short. A target whose name is as
    long as a file name may be must still get a temporary name beside it."""
    return f".{name[:32]}."


@contextlib.contextmanager
def _interrupts_held():
    """Ctrl-C (and SIGTERM) arrive after the block, not in the middle of it."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # not POSIX, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
