"""Serial links on pyserial over a pseudo-terminal, with our simulator as the autopilot behind the "radio".

The session's device is a symlink to the pty's device side, as udev's ``/dev/serial/by-id/...`` names are:
closing the pty's controller side is the radio pulled out, and a new pty behind the same name is it plugged
back in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import tty
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from groundstation.adapters.mavlink.serial_link import SerialTransport
from groundstation.adapters.mavlink_sim import MavlinkSimulator, SimOptions, build_fleet
from groundstation.adapters.mavlink_sim.transport import Receiver
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.events import Severity
from groundstation.domain.models import SessionState
from tests.integration.mavlink.sim_support import (
    link_reports,
    profile_runtime,
    wait_identified,
    wait_report,
    wait_state,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.peer


class PtyRadio:
    """One pseudo-terminal pair: the controller side is the simulator's transport, the device side is
    what ``name`` (a symlink) points at."""

    def __init__(self, name: Path) -> None:
        self.controller, self.device = os.openpty()
        tty.setraw(self.device)  # a UART passes bytes untouched: no echo, no CR/LF translation
        os.set_blocking(self.controller, False)
        staged = name.with_suffix(".new")
        staged.unlink(missing_ok=True)
        staged.symlink_to(os.ttyname(self.device))
        staged.replace(name)
        self.closed = False

    async def start(self, receive: Receiver) -> None:
        def readable() -> None:
            with contextlib.suppress(BlockingIOError, OSError):
                receive(os.read(self.controller, 4096), "pty")

        asyncio.get_running_loop().add_reader(self.controller, readable)

    def send(self, data: bytes) -> None:
        with contextlib.suppress(BlockingIOError, OSError):  # nobody reading the device side yet: dropped
            os.write(self.controller, data)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        asyncio.get_running_loop().remove_reader(self.controller)
        os.close(self.controller)
        os.close(self.device)

    def describe(self) -> str:
        return f"pty {os.ttyname(self.device)}"


@contextlib.asynccontextmanager
async def simulated_radio(name: Path) -> AsyncIterator[PtyRadio]:
    """One vehicle (system 1, GPS fixed at once, 4x time) talking through a fresh pty behind ``name``."""
    fleet = [replace(m, config=replace(m.config, gps_warmup_s=0.0)) for m in build_fleet(SimOptions(vehicles=1))]
    radio = PtyRadio(name)
    sim = MavlinkSimulator(fleet, radio, speed=4.0)
    stop = asyncio.Event()
    task = asyncio.get_running_loop().create_task(sim.run(stop))
    try:
        yield radio
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


@pytest.mark.slow
async def test_a_serial_session_flies_loses_its_radio_and_takes_it_back_when_replugged(tmp_path: Path) -> None:
    device = tmp_path / "radio"
    async with profile_runtime(tmp_path) as services:
        async with simulated_radio(device):
            session = await services.sessions.start("radio one", "MAVLINK", f"serial://{device}?baud=57600")
            assert session.last_error is None
            await wait_state(services, session.id, SessionState.ACTIVE)
            assert (await wait_identified(services, session)).identity.system_id == 1
            result = await services.commands.send(session.id, "set_mode", {"mode": "GUIDED"})
            assert result.outcome is CommandOutcome.ACCEPTED, result.message
            assert "the vehicle is in GUIDED" in result.message  # our frames went out through the pty too
        # Unplugged: the session does not hang in ACTIVE on a dead device, and says why.
        await wait_state(services, session.id, SessionState.LINK_LOST)
        link = f"serial {device}"
        await wait_report(services, session.id, link, f"{link}: device unplugged; waiting for it to come back")
        [unplugged, *_reopen_failures] = await link_reports(services, session.id, link)
        assert unplugged.severity is Severity.WARNING
        lost = await services.sessions.get(session.id)
        assert lost.last_error is not None and lost.last_error.startswith(f"{link}: ")
        async with simulated_radio(device):
            await wait_state(services, session.id, SessionState.ACTIVE, within=15)
            await wait_until(lambda: (s := services.hub.latest(session.id)) is not None and s.mode == "STABILIZE")
            await wait_report(services, session.id, link, "connected again after")
            assert (await services.sessions.get(session.id)).last_error is None
        await services.sessions.stop(session.id)
        actions = [e.action for e in await services.audit.list(target_id=session.id)]
        assert actions.index("session.link_lost") < actions.index("session.link_restored")


async def test_a_missing_device_fails_the_session_naming_the_device(tmp_path: Path) -> None:
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("ghost", "MAVLINK", "serial:///dev/does-not-exist?baud=57600")
        assert session.state is SessionState.FAILED
        assert session.last_error is not None
        assert "no serial port /dev/does-not-exist" in session.last_error
        assert "groundstation serial list" in session.last_error


async def test_a_file_that_is_no_serial_port_is_refused_in_words(tmp_path: Path) -> None:
    plain = tmp_path / "notes.txt"
    plain.write_text("not a tty")
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("notes", "MAVLINK", f"serial://{plain}")
        assert session.state is SessionState.FAILED
        assert f"{plain} cannot be set up as a serial port" in (session.last_error or "")


async def test_a_second_opener_of_the_same_device_is_told_it_is_in_use(tmp_path: Path) -> None:
    radio = PtyRadio(tmp_path / "radio")
    first = SerialTransport(str(tmp_path / "radio"), 57600, lambda _data: None)
    await first.open()
    try:
        second = SerialTransport(str(tmp_path / "radio"), 57600, lambda _data: None)
        with pytest.raises(OSError, match="is in use by another program"):
            await second.open()
    finally:
        await first.close()
        await radio.close()


async def test_a_full_outbox_drops_frames_and_close_is_prompt_even_with_the_writer_stuck(tmp_path: Path) -> None:
    radio = PtyRadio(tmp_path / "radio")  # nobody reads the controller side: the pty's buffer fills up
    transport = SerialTransport(str(tmp_path / "radio"), 57600, lambda _data: None)
    await transport.open()
    frame = bytes(range(256))
    try:
        refused = 0
        for _ in range(4000):  # ~1 MB, far past the pty buffer plus a second of 57600 baud
            if not transport.send(frame):
                refused += 1
                break
            await asyncio.sleep(0)
        assert refused == 1, "send never reported a full buffer"
        assert transport._outbox_bytes <= transport._outbox_limit
        threads = list(transport._threads)
        started = time.monotonic()
        await transport.close()
        assert time.monotonic() - started < 1.0
        assert threads and not any(t.is_alive() for t in threads)
        assert not transport.send(frame)  # closed: refused, not queued
    finally:
        await transport.close()
        await radio.close()


async def test_reads_end_with_the_device_and_resume_on_the_same_name(tmp_path: Path) -> None:
    name = tmp_path / "radio"
    radio = PtyRadio(name)
    received = bytearray()
    transport = SerialTransport(str(name), 57600, received.extend, max_backoff_s=0.25)
    await transport.open()
    try:
        os.write(radio.controller, b"first")
        await wait_until(lambda: bytes(received) == b"first", within=3)
        await radio.close()
        await wait_until(lambda: not transport.connected, within=3)
        radio = PtyRadio(name)
        await wait_until(lambda: transport.connected, within=5)
        assert transport.opens == 2
        os.write(radio.controller, b"second")
        await wait_until(lambda: bytes(received) == b"firstsecond", within=3)
        assert transport.send(b"to the vehicle")
        sent = bytearray()

        def arrived() -> bool:
            with contextlib.suppress(BlockingIOError):
                sent.extend(os.read(radio.controller, 64))
            return bytes(sent) == b"to the vehicle"

        await wait_until(arrived, within=3)
    finally:
        await transport.close()
        await radio.close()
