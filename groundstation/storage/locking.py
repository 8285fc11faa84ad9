"""The profile lock: one runtime per profile, across processes.

An OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) rather than a pid file alone, because the
operating system releases it when the holder dies, even by SIGKILL or a power cut, so a crash never leaves a
profile locked until someone deletes a file by hand. The holder's pid is written into the lock file only so
that a refused second runtime can tell the person which process holds the profile.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from groundstation.domain.errors import UnavailableError

if sys.platform == "win32":
    import msvcrt

    # Windows locks byte ranges and hides a locked range from other readers, so lock one byte far past the
    # pid text: the pid stays readable by the process that is refused.
    _WIN_LOCK_OFFSET = 1 << 30

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class ProfileLock:
    """An exclusive, non-blocking lock on ``<profile>/profile.lock``, held until ``release``."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path, profile_name: str) -> ProfileLock:
        """Take the lock or raise UnavailableError naming the process that holds it."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # owner-only, like the profile's other files
        if not _try_lock(fd):
            os.close(fd)
            pid = _read_pid(path)
            who = f"pid {pid}" if pid is not None else "pid unknown"
            raise UnavailableError(f"profile {profile_name!r} is in use by another groundstation process ({who})")
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            os.fsync(fd)
        except BaseException:
            _unlock(fd)
            os.close(fd)
            raise
        return cls(path, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Idempotent. The pid is cleared first, so a stale pid is never shown for a free profile."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)
