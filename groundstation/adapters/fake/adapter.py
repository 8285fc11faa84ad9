"""The FAKE adapter: simulated vehicles behind the same DeviceLink a MAVLink vehicle has.

The link is a thin pacer around a pure ``Simulation``: an asyncio task steps it at a fixed simulated
``dt`` and sleeps so that simulated time runs ``speed`` times wall time. When the loop was late it steps
several times to catch up rather than stretching ``dt``, so a busy GUI changes when samples arrive but
never what they contain. Only ``TelemetrySample.time`` comes from the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from groundstation.adapters.fake.link_options import LinkSetup, resolve_link_setup, vehicle_name
from groundstation.adapters.fake.simulation import Simulation
from groundstation.domain.commands import CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.models import AdapterKind, ConnectionSpec, LinkStats, VehicleIdentity
from groundstation.domain.ports import TelemetrySink

log = logging.getLogger(__name__)

# After a stall longer than this (a suspended laptop, a debugger), skip ahead instead of replaying it all.
MAX_CATCH_UP_S = 2.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FakeAdapter:
    """Makes FAKE links; ``scenario_dirs`` are where bare scenario names (``scenario=demo``) are looked up."""

    def __init__(self, scenario_dirs: Sequence[Path] = ()) -> None:
        self._scenario_dirs = tuple(scenario_dirs)

    @property
    def kind(self) -> AdapterKind:
        return AdapterKind.FAKE

    def check(self, spec: ConnectionSpec) -> None:
        resolve_link_setup(spec, self._scenario_dirs)

    def create_link(self, session_id: str, spec: ConnectionSpec, sink: TelemetrySink) -> FakeLink:
        return FakeLink(session_id, spec, sink, scenario_dirs=self._scenario_dirs)


class FakeLink:
    def __init__(
        self,
        session_id: str,
        spec: ConnectionSpec,
        sink: TelemetrySink,
        *,
        scenario_dirs: Sequence[Path] = (),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._session_id = session_id
        self._spec = spec
        self._sink = sink
        self._scenario_dirs = tuple(scenario_dirs)
        self._clock = clock
        self._setup: LinkSetup | None = None
        self._sim: Simulation | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[CommandResult]] = {}
        self._closed = False
        # Link figures (``link_stats``): samples in, commands out, samples a scenario's link drop swallowed.
        self._samples = 0
        self._commands_sent = 0
        self._lost = 0
        self._rate_in = 0.0
        self._rate_out = 0.0
        self._snap: tuple[float, int, int] | None = None

    @property
    def simulation(self) -> Simulation | None:
        """The running simulation, for tests and diagnostics; None before open()."""
        return self._sim

    async def open(self) -> None:
        if self._closed:
            raise RuntimeError("a closed FAKE link cannot be opened again; create a new one")
        if self._task is not None:
            return
        setup = resolve_link_setup(self._spec, self._scenario_dirs)
        self._setup = setup
        self._sim = Simulation(setup.vehicle, setup.events, rate_hz=setup.rate_hz)
        self._task = asyncio.get_running_loop().create_task(
            self._run(setup, self._sim), name=f"fake-link:{vehicle_name(self._spec)}"
        )

    async def close(self) -> None:
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self._answer_all(CommandResult(CommandOutcome.FAILED, "the link was closed before the vehicle answered"))

    async def command(self, command: VehicleCommand, *, timeout_s: float) -> CommandResult:
        sim, task = self._sim, self._task
        if sim is None or task is None or task.done():
            return CommandResult(CommandOutcome.FAILED, "the FAKE link is not open")
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        ticket = sim.submit(command)
        self._commands_sent += 1
        self._pending[ticket] = future
        try:
            return await asyncio.wait_for(future, timeout=max(0.0, timeout_s))
        except TimeoutError:
            sim.withdraw(ticket)
            return CommandResult(CommandOutcome.NO_ANSWER, f"no answer from the vehicle within {timeout_s:g} s")
        finally:
            self._pending.pop(ticket, None)

    # ------------------------------------------------------------------------------------------ running
    async def _run(self, setup: LinkSetup, sim: Simulation) -> None:
        loop = asyncio.get_running_loop()
        period = sim.dt / setup.speed
        try:
            self._sink.on_identity(
                VehicleIdentity(
                    system_id=setup.system_id,
                    component_id=1,
                    autopilot="groundstation-fake",
                    vehicle_type="quadrotor",
                    firmware="fake-1",
                )
            )
            start = loop.time()
            done = 0
            while True:
                due = int((loop.time() - start) / period)
                backlog = due - done
                max_steps = max(1, int(MAX_CATCH_UP_S / period))
                if backlog > max_steps:
                    start += (backlog - max_steps) * period
                    backlog = max_steps
                for _ in range(backlog):
                    self._step(sim)
                done += backlog
                self._measure(loop.time())
                await asyncio.sleep(max(0.0, start + (done + 1) * period - loop.time()))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("FAKE simulation of %s stopped", setup.vehicle.name)
            self._answer_all(CommandResult(CommandOutcome.FAILED, f"the simulation stopped: {exc}"))
            with contextlib.suppress(Exception):
                self._sink.on_failure(f"the FAKE simulation stopped: {exc}")

    def _step(self, sim: Simulation) -> None:
        out = sim.step()
        for ticket, result in out.results:
            future = self._pending.get(ticket)
            if future is not None and not future.done():
                future.set_result(result)
        for severity, text in out.messages:
            self._sink.on_message(severity, text)
        if out.link_up:
            self._samples += 1
            self._sink.on_sample(sim.sample(self._session_id, self._clock()))
        else:
            self._lost += 1

    def _measure(self, now: float) -> None:
        """Once a second of loop time: the rates ``link_stats`` reports."""
        snap = self._snap
        if snap is None:
            self._snap = (now, self._samples, self._commands_sent)
            return
        dt = now - snap[0]
        if dt >= 1.0:
            self._rate_in = (self._samples - snap[1]) / dt
            self._rate_out = (self._commands_sent - snap[2]) / dt
            self._snap = (now, self._samples, self._commands_sent)

    def link_stats(self) -> LinkStats | None:
        """The simulated link's figures: samples delivered (in), commands submitted (out), and the samples
        a scenario's link drop swallowed (lost). None before ``open``."""
        if self._sim is None:
            return None
        total = self._samples + self._lost
        return LinkStats(
            link=f"fake:{vehicle_name(self._spec)}",
            messages_in=self._samples,
            messages_out=self._commands_sent,
            messages_in_per_s=round(self._rate_in, 1),
            messages_out_per_s=round(self._rate_out, 1),
            lost_packets=self._lost,
            packet_loss_pct=round(100.0 * self._lost / total, 2) if total else 0.0,
        )

    def _answer_all(self, result: CommandResult) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_result(result)
