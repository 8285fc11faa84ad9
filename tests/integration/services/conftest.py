"""Services over real SQLite profiles, with a scripted device adapter standing in for the outside world.

The scripted adapter is the unit's neighbour: it lets a test decide exactly when data flows, stops, or
fails, so the session service's own behaviour (state machine, conflicts, link health, audit) is what is
tested. The FAKE adapter end to end is tested in tests/integration/test_fake_fleet.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain.commands import CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind, ConnectionSpec, VehicleIdentity
from groundstation.domain.ports import DeviceLink, TelemetrySink
from groundstation.domain.telemetry import TelemetrySample
from groundstation.storage import FileProfileCatalog


class ScriptedLink:
    def __init__(self, adapter: ScriptedAdapter, session_id: str, spec: ConnectionSpec, sink: TelemetrySink) -> None:
        self.adapter = adapter
        self.session_id = session_id
        self.spec = spec
        self.sink = sink
        self.opened = False
        self.closed = 0

    async def open(self) -> None:
        if self.spec.options.get("fail") == "open":
            raise OSError(98, "Address already in use")
        if self.spec.options.get("fail") == "hang":
            await asyncio.sleep(3600)
        self.opened = True
        if self.spec.options.get("silent") != "1":
            self.emit()
            self.sink.on_identity(VehicleIdentity(system_id=1, autopilot="scripted", vehicle_type="quadrotor"))

    async def close(self) -> None:
        self.closed += 1

    async def command(self, command: VehicleCommand, *, timeout_s: float) -> CommandResult:
        if command.params.get("bad"):
            raise InvalidError("bad parameter", field="params.bad")
        if command.name.value == "arm":
            return CommandResult(CommandOutcome.ACCEPTED, "armed")
        return CommandResult(CommandOutcome.DENIED, "Takeoff: not armed")

    def emit(self, **fields: object) -> None:
        self.sink.on_sample(TelemetrySample(session_id=self.session_id, time=datetime.now(UTC), **fields))  # type: ignore[arg-type]


class ScriptedAdapter:
    def __init__(self, kind: AdapterKind) -> None:
        self._kind = kind
        self.links: dict[str, ScriptedLink] = {}

    @property
    def kind(self) -> AdapterKind:
        return self._kind

    def check(self, spec: ConnectionSpec) -> None:
        if "typo" in spec.options:
            raise InvalidError("unknown option 'typo'", field="connection.url")

    def create_link(self, session_id: str, spec: ConnectionSpec, sink: TelemetrySink) -> DeviceLink:
        link = ScriptedLink(self, session_id, spec, sink)
        self.links[session_id] = link
        return link


@pytest.fixture
def scripted() -> dict[AdapterKind, ScriptedAdapter]:
    return {
        AdapterKind.FAKE: ScriptedAdapter(AdapterKind.FAKE),
        AdapterKind.MAVLINK: ScriptedAdapter(AdapterKind.MAVLINK),
    }


@pytest.fixture
async def runtime(tmp_path: Path, scripted: dict[AdapterKind, ScriptedAdapter]) -> AsyncIterator[Runtime]:
    catalog = FileProfileCatalog(tmp_path / "home")
    for name in ("alpha-co", "bravo-co"):
        catalog.create(name)
    rt = Runtime(catalog, adapters=scripted, link_timeout_s=0.4)
    yield rt
    await rt.close()


@pytest.fixture
async def profile(runtime: Runtime) -> ProfileServices:
    return await runtime.open_profile("alpha-co")
