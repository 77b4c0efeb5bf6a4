"""The publish stage: build a period's folder aside, then swap it into place whole.

OUT/P is replaced by one rename exchange (Linux renameat2) where the system
offers it, else by two renames with the old folder kept until the new one is
in place. A failure before the swap leaves an earlier publication untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scorecards.flows.publish.versions import drop_unpublished
from scorecards.flows.shared.errors import PublishError
from scorecards.flows.shared.layout import PeriodFolder

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextmanager
def period_lock(out_dir: Path, period: str) -> Iterator[None]:
    """Hold OUT/.P.lock while a period is published or sent; a second run for P fails at once, clearly.

    Publishing and sending share the lock so that a send never appends to a
    sent-log that a re-publication is about to replace. It is an advisory
    flock: the system releases it when the holder exits, even when killed.
    """
    path = out_dir / f".{period}.lock"
    with failed_write_named(out_dir / period):
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b", buffering=0)  # unbuffered: a full disk fails the write, not the close
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().decode(errors="replace").strip() or "another process"
            raise PublishError(
                f"{period}: another run is publishing or sending this period ({holder}); try again when it has finished"
            ) from None
        with failed_write_named(out_dir / period):
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}".encode())
            _clean_leftovers(out_dir, period)
            drop_unpublished(out_dir, period)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def staging_folder(out_dir: Path, period: str) -> Iterator[Path]:
    """A fresh folder beside OUT/P to build the period in (under period_lock); removed if the build fails."""
    with failed_write_named(out_dir / period):
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = new_folder(out_dir, f".{period}.building-")
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def new_folder(parent: Path, prefix: str) -> Path:
    """A new folder under `parent`, named `prefix` and a random suffix, with the modes the user's umask gives.

    Not tempfile.mkdtemp: its folder is the owner's alone (0700), and a published folder is renamed, modes and
    all, so every other reader of OUT (a manager's browser on a share) would be refused the cards.
    """
    for _attempt in range(100):
        path = parent / f"{prefix}{secrets.token_hex(6)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no unused name for a new folder", str(parent / prefix))


@contextmanager
def failed_write_named(target: Path) -> Iterator[None]:
    """Turn a failed write (a full disk, a lost share) into a PublishError naming the period's folder."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PublishError(
            f"{target}: could not write the outputs ({reason}); the earlier publication is unchanged"
        ) from None


def refuse_a_file_in_place(target: Path) -> None:
    """PublishError when something other than a folder is where the period is published: not a publication of
    ours (a file saved under the month's name), so never replaced unseen."""
    if target.exists() and not target.is_dir():
        raise PublishError(f"{target}: is a file, not a published period; move it away, then publish again")


def swap_into_place(stage: Path, target: Path) -> None:
    """Make `stage` the folder at `target`, replacing what was there in one step where possible."""
    refuse_a_file_in_place(target)
    try:
        if not target.exists():
            os.rename(stage, target)
            return
        if _exchange(stage, target):
            shutil.rmtree(stage, ignore_errors=True)  # stage now holds the old publication
            return
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
        try:
            os.rename(stage, target)
        except OSError:
            os.rename(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise PublishError(f"{target}: could not publish: {exc.strerror or exc}") from None


def carry_over_sent_log(published: Path, stage: Path) -> None:
    """Copy the period's sent-log (written by `send`) into the new build, so a re-run does not re-send."""
    log = PeriodFolder(published).sent_log
    if log.is_file():
        shutil.copy2(log, PeriodFolder(stage).sent_log)


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # the file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code))


def _clean_leftovers(out_dir: Path, period: str) -> None:
    """Put back a publication an interrupted swap displaced; remove half-built and replaced folders."""
    target = out_dir / period
    for old in sorted(out_dir.glob(f".{period}.old-*")):
        if not target.exists():
            os.rename(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in out_dir.glob(f".{period}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
