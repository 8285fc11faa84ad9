"""The serial transport under a MAVLink link (pyserial), and finding serial ports.

One transport serves ``/dev/ttyUSB0``, ``/dev/cu.usbserial-*`` and ``COM3``; its reads and writes block, so
they run on threads. It reopens its device when it fails, because a USB radio pulled out and plugged back in
is routine in the field.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import threading
from collections import deque
from typing import Any

import serial
from serial.tools import list_ports

from groundstation.adapters.mavlink.link_condition import (
    ConditionCallback,
    ConditionReporter,
    LinkCondition,
    describe_os_error,
)
from groundstation.adapters.mavlink.transports import DataCallback
from groundstation.domain.connections import SerialPortInfo, serial_device_name

log = logging.getLogger(__name__)


class SerialTransport:
    """A serial device through pyserial, on two threads the loop never waits for.

    The reader blocks in ``read`` for at most ``_READ_TIMEOUT_S`` (so ``close`` joins it promptly) and hands
    bytes to the loop with ``call_soon_threadsafe``. Frames to send queue up to about a second of airtime at
    the link's baud for the writer thread; past that ``send`` drops the frame and says so, as a radio with a
    full buffer would, rather than delivering stale commands late. A device that fails under the reader (a
    USB radio unplugged, a pty whose other end closed) is closed and reopened with backoff until it is back
    or the link closes; meanwhile the session goes ``link_lost`` on silence, as for TCP. The reader thread
    reports the loss and the return to ``on_condition`` (on the loop's thread), once per distinct condition.
    """

    def __init__(
        self,
        device: str,
        baud: int,
        on_data: DataCallback,
        *,
        max_backoff_s: float = 2.0,
        on_condition: ConditionCallback | None = None,
    ) -> None:
        self._device = serial_device_name(device)
        self._baud = baud
        self._on_data = on_data
        self._on_condition = on_condition
        self._loop: asyncio.AbstractEventLoop | None = None
        # Called by the reader thread only, so its memory of what was reported needs no lock.
        self._status = ConditionReporter(f"serial {self._device}", self._hand_to_loop, announce_connect=False)
        self._max_backoff_s = max_backoff_s
        self._port: Any = None
        # Held while the writer uses the port and while the reader closes or replaces it: a write never
        # lands on a closed descriptor number the process has already handed to something else.
        self._port_lock = threading.Lock()
        self._outbox: deque[bytes] = deque()
        self._outbox_bytes = 0
        self._outbox_limit = max(2048, baud // 10)  # about a second of airtime (10 bits a byte on the wire)
        self._wake = threading.Condition()
        self._closing = threading.Event()
        self._threads: list[threading.Thread] = []
        self.opens = 0
        self.dropped_writes = 0

    @property
    def describe(self) -> str:
        return f"serial {self._device} at {self._baud} baud"

    @property
    def connected(self) -> bool:
        return self._port is not None

    @property
    def condition(self) -> LinkCondition | None:
        return self._status.current  # written by the reader thread; one reference, read whole

    async def open(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        self._port = await asyncio.to_thread(open_serial_port, self._device, self._baud)
        self.opens = 1
        self._status.up()  # not announced: the session's start already says the device opened
        self._threads = [
            threading.Thread(target=self._read_forever, args=(loop,), name=f"mavlink-serial-in:{self._device}"),
            threading.Thread(target=self._write_forever, name=f"mavlink-serial-out:{self._device}"),
        ]
        for thread in self._threads:
            thread.daemon = True
            thread.start()

    def send(self, data: bytes) -> bool:
        if self._port is None or self._closing.is_set():
            return False
        with self._wake:
            if self._outbox_bytes + len(data) > self._outbox_limit:
                return False
            self._outbox.append(data)
            self._outbox_bytes += len(data)
            self._wake.notify()
        return True

    async def close(self) -> None:
        self._closing.set()
        with self._wake:
            self._wake.notify_all()
        threads, self._threads = self._threads, []
        if threads:
            await asyncio.to_thread(_join, threads, _READ_TIMEOUT_S + _WRITE_TIMEOUT_S + 0.5)
        with self._port_lock:
            port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(Exception):
                port.close()

    # ------------------------------------------------------------------------------------------ threads
    def _read_forever(self, loop: asyncio.AbstractEventLoop) -> None:
        while not self._closing.is_set():
            port = self._port
            if port is None:
                if not self._reopen():
                    return
                continue
            try:
                data = _read_some(port)
            except OSError as exc:
                # EIO from a pty whose other end closed; "returned no data" from an unplugged USB adapter.
                log.info("%s lost: %s; reopening it when it is back", self.describe, exc)
                self._drop_port(port)
                self._status.lost(f"{_loss(exc)}; waiting for it to come back")
                continue
            if not data:
                continue
            try:
                loop.call_soon_threadsafe(self._on_data, data)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                return

    def _reopen(self) -> bool:
        """Wait for the device to come back; False when the link closed meanwhile."""
        backoff = 0.25
        while not self._closing.wait(backoff):
            try:
                port = open_serial_port(self._device, self._baud)
            except OSError as exc:
                log.debug("%s not back yet: %s", self.describe, exc)
                backoff = min(backoff * 2, self._max_backoff_s)
                self._status.retrying(_reopen_failure(exc), backoff, self._max_backoff_s)
                continue
            with self._port_lock:
                if self._closing.is_set():
                    port.close()
                    return False
                self._port = port
            self.opens += 1
            log.info("%s is back", self.describe)
            self._status.up()
            return True
        return False

    def _hand_to_loop(self, condition: LinkCondition) -> None:
        loop, callback = self._loop, self._on_condition
        if loop is None or callback is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            loop.call_soon_threadsafe(callback, condition)

    def _drop_port(self, port: Any) -> None:
        with self._port_lock:
            if self._port is port:
                self._port = None
            with contextlib.suppress(Exception):
                port.close()
        with self._wake:  # what was queued for the lost device is stale by the time it is back
            self.dropped_writes += len(self._outbox)
            self._outbox.clear()
            self._outbox_bytes = 0

    def _write_forever(self) -> None:
        while True:
            with self._wake:
                while not self._outbox and not self._closing.is_set():
                    self._wake.wait()
                if self._closing.is_set():
                    return
                data = self._outbox.popleft()
                self._outbox_bytes -= len(data)
            with self._port_lock:
                port = self._port
                if port is None:
                    self.dropped_writes += 1
                    continue
                try:
                    port.write(data)
                except serial.SerialTimeoutException:
                    # Flow control holding us off, or a radio far behind: drop, as a full buffer does.
                    self.dropped_writes += 1
                except OSError as exc:
                    # The reader sees the same failure on its side and reopens the device.
                    log.debug("%s write failed: %s", self.describe, exc)
                    self.dropped_writes += 1


_READ_TIMEOUT_S = 0.1
_WRITE_TIMEOUT_S = 0.5


def _read_some(port: Any) -> bytes:
    """What the device has: waits for a first byte (at most the read timeout), then takes what is buffered,
    so a frame reaches the parser as soon as it arrived rather than when a fixed-size read fills."""
    data: bytes = port.read(1)
    if data:
        waiting = port.in_waiting
        if waiting:
            data += port.read(waiting)
    return data


def _loss(exc: OSError) -> str:
    """Why reading stopped, short: an unplugged USB adapter makes pyserial say the device "returned no data"
    (no errno), a pty whose other end closed gives EIO; anything else is named."""
    if exc.errno in (errno.EIO, errno.ENXIO, errno.ENODEV) or "returned no data" in str(exc):
        return "device unplugged"
    return f"device failed ({describe_os_error(exc)})"


def _reopen_failure(exc: OSError) -> str:
    """Why the device did not reopen, short: ``open_serial_port``'s sentences are written for a session that
    never opened (they name the device and say what to check), this one is a device that was there."""
    if isinstance(exc, FileNotFoundError):
        return "device not present"
    if isinstance(exc, PermissionError) and exc.errno != errno.EBUSY:
        return "no permission to open the device"
    if exc.errno == errno.EBUSY:
        return "the device is in use by another program"
    return describe_os_error(exc)


def _join(threads: list[threading.Thread], timeout_s: float) -> None:
    for thread in threads:
        thread.join(timeout_s)
        if thread.is_alive():
            log.warning("%s did not stop within %g s", thread.name, timeout_s)


def open_serial_port(device: str, baud: int) -> Any:
    """Open and configure ``device`` (8N1, no flow control); raise an ``OSError`` whose ``strerror`` says in
    words what is wrong, naming the device: the session stores it as its ``last_error``."""
    port = serial.Serial()
    port.port = device
    port.timeout = _READ_TIMEOUT_S
    port.write_timeout = _WRITE_TIMEOUT_S
    if os.name == "posix":
        # An advisory lock: a second ground station process on the same radio is refused, not interleaved.
        port.exclusive = True
    try:
        port.baudrate = baud
        port.open()
    except ValueError as exc:
        raise OSError(errno.EINVAL, f"{device} does not take {baud} baud ({exc})") from exc
    except OSError as exc:
        raise describe_serial_error(device, exc) from exc
    return port


def describe_serial_error(device: str, exc: OSError) -> OSError:
    """pyserial's open errors as a sentence for an operator (its own text nests the OS error twice, and on
    Windows carries no errno at all, only the repr of the Windows error)."""
    text = str(exc)
    code = exc.errno
    if code == errno.ENOENT or "FileNotFoundError" in text:
        return FileNotFoundError(
            errno.ENOENT,
            f"no serial port {device}: the radio or cable is not plugged in, or the port has another name "
            f"(groundstation serial list shows the ports found)",
        )
    if code in (errno.EACCES, errno.EPERM) or ("PermissionError" in text and "could not open port" in text):
        if code is None:  # Windows says "access denied" when another program has the port open
            return PermissionError(errno.EBUSY, f"{device} is in use by another program (close it and retry)")
        return PermissionError(
            code,
            f"no permission to open {device} (on Linux, add your user to the dialout group and log in again)",
        )
    if code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "exclusively lock" in text:
        return OSError(errno.EBUSY, f"{device} is in use by another program (close it and retry)")
    if "configure port" in text:
        return OSError(errno.EINVAL, f"{device} cannot be set up as a serial port: {_inner(text)}")
    return OSError(code or errno.EIO, f"cannot open serial port {device}: {_inner(text)}")


def _inner(text: str) -> str:
    """pyserial's message without its "could not open port X:" / "Could not configure port:" lead."""
    return text.rsplit(": ", 1)[-1] if ": " in text else text


def list_serial_ports() -> list[SerialPortInfo]:
    """The serial ports this computer has now, in natural order (COM2 before COM10); blocking, since the
    operating system is asked (sysfs, IOKit, SetupAPI): call it off the loop and off the Qt thread."""
    ports = [serial_port_info(p) for p in list_ports.comports()]
    return sorted(ports, key=lambda p: _natural(p.device))


def serial_port_info(port: Any) -> SerialPortInfo:
    """pyserial's ``ListPortInfo`` as the domain's value; its "n/a" placeholders become unknowns."""

    def known(value: Any) -> str | None:
        return None if value in (None, "", "n/a") else str(value)

    return SerialPortInfo(
        device=str(port.device),
        description=known(getattr(port, "description", None)) or "",
        manufacturer=known(getattr(port, "manufacturer", None)),
        vid=getattr(port, "vid", None),
        pid=getattr(port, "pid", None),
        serial_number=known(getattr(port, "serial_number", None)),
    )


def _natural(name: str) -> tuple[str, int, str]:
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    return (stem.lower(), int(digits) if digits else -1, name)
