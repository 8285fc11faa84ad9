"""Telemetry logs (``.tlog``): recording a live link's traffic and reading a log back for replay.

A record is an 8-byte big-endian timestamp in microseconds followed by one MAVLink frame. The reader
walks a log exactly as pymavlink's ``mavlogfile`` does (timestamp, then as many bytes as the parser asks
for, re-synchronizing on the timestamp after bad data), so a replay counts the very same messages and bad
frames that pymavlink reports on the same file. Reading runs in a worker thread, a batch at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from pathlib import Path
from typing import Any, BinaryIO

from groundstation.adapters.mavlink.codec import BadData, mavlink2

log = logging.getLogger(__name__)

_STAMP = struct.Struct(">Q")
# pymavlink's threshold for "this timestamp is garbage": more than three days away from the last good one.
_IMPLAUSIBLE_JUMP_S = 3 * 24 * 60 * 60


# How far into a file ``tlog_problem`` looks for a MAVLink frame before calling it something else.
CHECK_BYTES = 64 * 1024


def tlog_problem(path: Path, limit: int = CHECK_BYTES) -> str | None:
    """Why ``path`` is not a tlog, in words; None when it is one: frames of messages the dialect knows
    (checksums right), read the way a replay reads (after 8-byte timestamps) within the first ``limit`` bytes.
    Two frames, or one in a file read to its end: noise holds a frame whose checksum happens to fit now and
    then, never two. Blocking: call it in a worker thread. A log cut short is still a log; a text file, an
    image or an empty file is not."""
    if path.stat().st_size == 0:
        return f"not a tlog: {path} is empty"
    reader = TlogReader(path)
    frames = 0
    try:
        while not reader.eof and reader.position <= limit:
            for _t, msg in reader.read_batch(1):
                # A message id this dialect does not know has no checksum to check: noise passes as one.
                if not isinstance(msg, BadData | mavlink2.MAVLink_unknown):
                    frames += 1
            if frames >= 2:
                return None
        if frames and reader.eof:
            return None
    finally:
        reader.close()
    return f"not a tlog: no MAVLink frame in the first {limit // 1024} KiB of {path}"


class TlogReader:
    """Yields ``(timestamp_s, message)`` batches; a message may be ``MAVLink_bad_data``. Not thread-safe:
    one batch at a time, from any one thread."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._f: BinaryIO | None = None
        self._mav = mavlink2.MAVLink(None, srcSystem=255, srcComponent=190)
        self._mav.robust_parsing = True
        self._t: float | None = None
        self._last_good_t: float | None = None
        self._last_bad = False
        self.eof = False

    def read_batch(self, max_records: int) -> list[tuple[float, Any]]:
        """Up to ``max_records`` records; fewer (possibly none) and ``eof`` set at the end of the file."""
        if self._f is None:
            self._f = self._path.open("rb")
        out: list[tuple[float, Any]] = []
        while len(out) < max_records and not self.eof:
            msg = self._next()
            if msg is None:
                self.eof = True
                break
            t = self._t if self._t is not None else 0.0
            bad = isinstance(msg, BadData)
            if not bad:
                self._last_good_t = t
            self._last_bad = bad
            out.append((t, msg))
        return out

    @property
    def position(self) -> int:
        """Bytes read so far."""
        return self._f.tell() if self._f is not None else 0

    def _next(self) -> Any | None:
        f = self._f
        assert f is not None
        stamp = f.read(8)
        if len(stamp) == 8:
            t = _STAMP.unpack(stamp)[0] * 1e-6
            if self._last_good_t is not None and self._last_bad and abs(t - self._last_good_t) > _IMPLAUSIBLE_JUMP_S:
                t = self._scan(stamp)
            self._t = t
        mav = self._mav
        while True:
            chunk = f.read(mav.bytes_needed())
            try:
                msg = mav.parse_char(chunk)
            except Exception as exc:
                # Never seen with robust parsing, but a replay must not die on one frame: count it as bad.
                log.debug("tlog parser error in %s: %s", self._path, exc)
                mav.buf = bytearray()
                mav.buf_index = 0
                msg = BadData(b"", f"parser error: {exc}")
            if msg is not None:
                return msg
            if not chunk:
                return None

    def _scan(self, stamp: bytes) -> float:
        """After bad data, slide byte by byte to a plausible timestamp (as pymavlink does)."""
        f = self._f
        assert f is not None and self._last_good_t is not None
        while True:
            t: float = _STAMP.unpack(stamp)[0] * 1e-6
            if abs(t - self._last_good_t) <= _IMPLAUSIBLE_JUMP_S:
                return t
            c = f.read(1)
            if len(c) != 1:
                return t
            stamp = stamp[1:] + c

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


class TlogRecorder:
    """Appends records to a ``.tlog``. Frames are buffered on the loop and written by a worker thread
    twice a second, so disk latency never reaches the link; past ``max_buffer`` bytes frames are dropped
    and counted rather than held."""

    def __init__(self, path: Path, *, max_buffer: int = 8 * 1024 * 1024, flush_interval_s: float = 0.5) -> None:
        self.path = path
        self._max_buffer = max_buffer
        self._flush_interval_s = flush_interval_s
        self._buffer = bytearray()
        self._f: BinaryIO | None = None
        self._task: asyncio.Task[None] | None = None
        self.records = 0
        self.dropped = 0

    async def open(self) -> None:
        def _open() -> BinaryIO:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self.path.open("ab")

        self._f = await asyncio.to_thread(_open)
        self._task = asyncio.get_running_loop().create_task(self._flush_forever(), name=f"tlog:{self.path.name}")

    def record(self, t: float, frame: bytes) -> None:
        if self._f is None:
            return
        if len(self._buffer) + len(frame) + 8 > self._max_buffer:
            self.dropped += 1
            return
        self._buffer += _STAMP.pack(int(t * 1e6))
        self._buffer += frame
        self.records += 1

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval_s)
            await self.flush()

    async def flush(self) -> None:
        f = self._f
        if f is None or not self._buffer:
            return
        data, self._buffer = bytes(self._buffer), bytearray()

        def _write() -> None:
            f.write(data)
            f.flush()

        try:
            await asyncio.to_thread(_write)
        except OSError:
            log.exception("writing %s", self.path)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        await self.flush()
        f, self._f = self._f, None
        if f is not None:
            await asyncio.to_thread(f.close)
