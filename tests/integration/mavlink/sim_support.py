"""Our MAVLink simulator as a peer of the real session pipeline: as a process (``groundstation sim mavlink``)
or on the test's loop, and a runtime on a temporary profile to drive it through ``SessionService``."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from groundstation.adapters.mavlink_sim import MavlinkSimulator, SimOptions, UdpOut, build_fleet
from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain.events import EventKind, IntegrationEvent
from groundstation.domain.models import DeviceSession, SessionState
from groundstation.storage import FileProfileCatalog
from tests.waiting import wait_until

PROFILE = "fleet-ops"
# Short enough that link loss is seen within a test, long enough that a loaded CI host never trips it.
LINK_TIMEOUT_S = 1.5


class SimProcess:
    """``groundstation sim mavlink`` in a child process: stopping it is what a dead radio looks like."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "groundstation",
            "sim",
            "mavlink",
            *self.args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@contextlib.asynccontextmanager
async def sim_process(*args: str) -> AsyncIterator[SimProcess]:
    sim = SimProcess(*args)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@contextlib.asynccontextmanager
async def sim_in_loop(
    port: int, vehicles: int, *, gps_warmup_s: float = 3.0, speed: float = 4.0, param_rate_hz: float | None = None
) -> AsyncIterator[MavlinkSimulator]:
    """The simulator on the test's own loop, for fleets the CLI cannot configure (a GPS that never fixes, a
    parameter list sent at a slow radio's pace)."""
    fleet = [
        replace(m, config=replace(m.config, gps_warmup_s=gps_warmup_s))
        for m in build_fleet(SimOptions(vehicles=vehicles, seed=3))
    ]
    sim = MavlinkSimulator(fleet, UdpOut("127.0.0.1", port), speed=speed, param_rate_hz=param_rate_hz)
    stop = asyncio.Event()
    task = asyncio.get_running_loop().create_task(sim.run(stop))
    try:
        yield sim
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


@contextlib.asynccontextmanager
async def profile_runtime(root: Path) -> AsyncIterator[ProfileServices]:
    catalog = FileProfileCatalog(root / "home")
    catalog.create(PROFILE)
    runtime = Runtime(catalog, link_timeout_s=LINK_TIMEOUT_S)
    try:
        yield await runtime.open_profile(PROFILE)
    finally:
        await runtime.close()


async def wait_state(services: ProfileServices, session_id: str, state: SessionState, within: float = 10) -> None:
    await wait_until(lambda: services.sessions.live_state(session_id) is state, within=within)


async def wait_identified(services: ProfileServices, session: DeviceSession, within: float = 10) -> DeviceSession:
    async def firmware_known() -> bool:
        return (await services.sessions.get(session.id)).identity.firmware is not None

    await wait_until(firmware_known, within=within)
    return await services.sessions.get(session.id)


async def link_reports(services: ProfileServices, session_id: str, link: str) -> list[IntegrationEvent]:
    """The session's event log entries that are its transport's reports (they name the link first)."""
    events = await services.audit.list_events()
    return [
        e
        for e in events
        if e.kind is EventKind.VEHICLE_MESSAGE and e.subject_id == session_id and e.data["text"].startswith(link)
    ]


async def wait_report(services: ProfileServices, session_id: str, link: str, words: str, within: float = 15) -> None:
    async def reported() -> bool:
        return any(words in e.data["text"] for e in await link_reports(services, session_id, link))

    await wait_until(reported, within=within)
