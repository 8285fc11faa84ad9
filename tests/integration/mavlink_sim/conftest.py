"""Fleets of simulated ArduCopters on real loopback sockets, each started on the test's own loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from groundstation.adapters.mavlink_sim import FleetMember, MavlinkSimulator, SimOptions, TcpListen, UdpOut, build_fleet
from tests.integration.mavlink_sim.gcs import Gcs, UdpGcs
from tests.waiting import wait_until

# Simulated time runs this many times wall time: takeoffs and waypoints in a second or two, while the
# wall-clock streams (1 Hz heartbeat) stay as a real GCS expects them.
SPEED = 4.0


@dataclass
class Running:
    sim: MavlinkSimulator
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 5.0)


async def start(fleet: list[FleetMember], transport: UdpOut | TcpListen, speed: float = SPEED) -> Running:
    sim = MavlinkSimulator(fleet, transport, speed=speed)
    stop = asyncio.Event()
    task = asyncio.get_running_loop().create_task(sim.run(stop))
    await wait_until(lambda: len(sim.vehicles) == len(fleet) or task.done())
    return Running(sim, stop, task)


def fleet(count: int, *, gps_warmup_s: float | None = None) -> list[FleetMember]:
    members = build_fleet(SimOptions(vehicles=count, seed=7))
    if gps_warmup_s is None:
        return members
    return [replace(m, config=replace(m.config, gps_warmup_s=gps_warmup_s)) for m in members]


@pytest.fixture
async def udp_fleet() -> AsyncIterator[tuple[MavlinkSimulator, Gcs]]:
    """Three copters sending to a GCS listening on UDP; the GCS answers the address they send from."""
    gcs = await UdpGcs.open()
    running = await start(fleet(3), UdpOut("127.0.0.1", gcs.port))
    await wait_until(lambda: gcs.peer is not None)
    yield running.sim, gcs.gcs
    await running.close()
    gcs.close()
