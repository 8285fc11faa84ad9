"""The FAKE link end to end on a real asyncio loop, with a recording sink (sped up; no fixed sleeps)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from groundstation.adapters.fake import FakeAdapter, FakeLink
from groundstation.adapters.fake.scenario import load_scenario
from groundstation.adapters.fake.simulation import Simulation
from groundstation.domain.commands import CommandName, CommandOutcome, VehicleCommand
from groundstation.domain.connections import parse_connection
from groundstation.domain.errors import InvalidError
from groundstation.domain.events import Severity
from groundstation.domain.models import AdapterKind, VehicleIdentity
from groundstation.domain.telemetry import GpsFix, TelemetrySample
from tests.unit.fake.support import num, same_except_time

SCENARIOS = Path(__file__).resolve().parents[3] / "resources" / "scenarios"

DROP_SCENARIO = """\
[[vehicle]]
name = "delta"
home = { lat = 47.3977, lon = 8.5456, alt_msl_m = 488.0 }
gps_warmup_s = 0.5

[[event]]
at_s = 1.0
vehicle = "delta"
fault = "link_drop"
duration_s = 2.0
"""


class RecordingSink:
    def __init__(self) -> None:
        self.samples: list[TelemetrySample] = []
        self.sample_steps: list[int] = []
        self.identities: list[VehicleIdentity] = []
        self.messages: list[tuple[Severity, str]] = []
        self.failures: list[str] = []
        self.link: FakeLink | None = None
        self._changed = asyncio.Event()

    def on_sample(self, sample: TelemetrySample) -> None:
        self.samples.append(sample)
        if self.link is not None and self.link.simulation is not None:
            self.sample_steps.append(self.link.simulation.step_index)
        self._changed.set()

    def on_identity(self, identity: VehicleIdentity) -> None:
        self.identities.append(identity)
        self._changed.set()

    def on_message(self, severity: Severity, text: str) -> None:
        self.messages.append((severity, text))
        self._changed.set()

    def on_failure(self, reason: str) -> None:
        self.failures.append(reason)
        self._changed.set()

    async def until(self, condition: Callable[[], bool], limit_s: float = 5.0) -> None:
        """Wake on every delivery and re-check ``condition``: waits exactly as long as needed."""
        async with asyncio.timeout(limit_s):
            while not condition():
                self._changed.clear()
                await self._changed.wait()


def _link(url: str, sink: RecordingSink, dirs: tuple[Path, ...] = (SCENARIOS,)) -> FakeLink:
    link = FakeAdapter(scenario_dirs=dirs).create_link("ses_1", parse_connection(AdapterKind.FAKE, url), sink)
    sink.link = link
    return link


async def test_a_lone_vehicle_identifies_itself_and_streams_samples() -> None:
    sink = RecordingSink()
    link = _link("fake://solo?seed=3&speed=20", sink)
    assert FakeAdapter().kind is AdapterKind.FAKE
    await link.open()
    try:
        await sink.until(lambda: len(sink.samples) >= 40 and sink.samples[-1].gps_fix == GpsFix.FIX_3D)
    finally:
        await link.close()
    assert sink.identities == [
        VehicleIdentity(
            system_id=4, component_id=1, autopilot="groundstation-fake", vehicle_type="quadrotor", firmware="fake-1"
        )
    ]
    last = sink.samples[-1]
    assert last.session_id == "ses_1" and last.time.tzinfo is not None
    assert last.mode == "STABILIZE" and last.armed is False and last.alt_rel_m == 0.0
    assert abs(num(last.lat_deg) - 47.397742) < 1e-4 and last.home_lon_deg == pytest.approx(8.545594)
    assert None not in (last.battery_v, last.satellites, last.hdop, last.link_quality_pct, last.heading_deg)
    assert sink.sample_steps == sorted(sink.sample_steps)  # one sample per step, in order
    assert sink.failures == []


async def test_commands_fly_the_vehicle_end_to_end() -> None:
    sink = RecordingSink()
    link = _link("fake://solo?speed=20&lat=-33.86&lon=151.21&alt=5", sink)
    await link.open()
    try:
        await sink.until(lambda: bool(sink.samples) and sink.samples[-1].gps_fix == GpsFix.FIX_3D)
        assert (await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "GUIDED"}), timeout_s=2)).accepted
        assert (await link.command(VehicleCommand(CommandName.ARM), timeout_s=2)).accepted
        result = await link.command(VehicleCommand(CommandName.TAKEOFF, {"alt_m": 8}), timeout_s=2)
        assert result.accepted and result.message == "taking off to 8 m"
        await sink.until(lambda: sink.samples[-1].alt_rel_m is not None and sink.samples[-1].alt_rel_m > 7.5)
        refused = await link.command(VehicleCommand(CommandName.ARM), timeout_s=2)
        assert refused.outcome is CommandOutcome.DENIED
        await sink.until(lambda: (Severity.WARNING, refused.message) in sink.messages)
    finally:
        await link.close()
    assert sink.samples[-1].lat_deg == pytest.approx(-33.86, abs=1e-3)


async def test_the_demo_scenario_by_name_gets_its_vehicle_flying_within_seconds() -> None:
    sink = RecordingSink()
    link = _link("fake://bravo?scenario=demo&speed=20", sink)
    await link.open()
    try:
        await sink.until(
            lambda: (
                bool(sink.samples) and sink.samples[-1].mode == "AUTO" and num(sink.samples[-1].groundspeed_mps) > 1.0
            )
        )
    finally:
        await link.close()
    assert link.simulation is not None and link.simulation.time_s < 15


async def test_link_drop_stops_emission_for_its_duration_then_resumes(tmp_path: Path) -> None:
    path = tmp_path / "drop.toml"
    path.write_text(DROP_SCENARIO)
    sink = RecordingSink()
    link = _link(f"fake://delta?scenario={path}&speed=20", sink)
    await link.open()
    try:
        await sink.until(lambda: any("link drop" in text for _, text in sink.messages))
        lost = await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "ALT_HOLD"}), timeout_s=0.05)
        assert lost.outcome is CommandOutcome.NO_ANSWER
        await sink.until(lambda: bool(sink.sample_steps) and sink.sample_steps[-1] > 40)
        answered = await link.command(VehicleCommand(CommandName.SET_MODE, {"mode": "LOITER"}), timeout_s=2)
        assert answered.accepted
    finally:
        await link.close()
    gaps = [b - a for a, b in zip(sink.sample_steps, sink.sample_steps[1:], strict=False)]
    assert gaps.count(1) == len(gaps) - 1 and max(gaps) == 21  # 20 silent steps (2 s at 10 Hz)
    silent_from = sink.sample_steps[gaps.index(21)]
    assert silent_from == 10  # the drop starts at step 10 (1.0 s): step 9's sample (index 10 after it) is the last
    assert sink.samples[-1].mode == "LOITER"  # the lost ALT_HOLD never arrived


async def test_samples_from_the_link_equal_the_pure_simulation() -> None:
    sink = RecordingSink()
    link = _link("fake://charlie?scenario=demo&speed=50&seed=9", sink)
    await link.open()
    try:
        await sink.until(lambda: len(sink.samples) >= 150)
    finally:
        await link.close()
    reference = link.simulation
    assert reference is not None
    fresh = Simulation(reference.vehicle.config, load_scenario(SCENARIOS / "demo.toml").events_for("charlie"))
    expected = []
    for _ in range(150):
        fresh.step()
        expected.append(fresh.sample("ses_1", sink.samples[0].time))
    assert all(same_except_time(a, b) for a, b in zip(sink.samples[:150], expected, strict=True))


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("fake://zulu?scenario=demo", "has no vehicle 'zulu'"),
        ("fake://alpha?scenario=nosuch", "no scenario named 'nosuch'"),
        ("fake://alpha?scenario=/no/such/file.toml", "does not exist"),
        ("fake://alpha?scenario=demo&lat=1", "without a scenario"),
        ("fake://solo?speed=0", "speed must be"),
        ("fake://solo?rate_hz=fast", "rate_hz must be"),
        ("fake://solo?seed=-1", "seed must be"),
        ("fake://solo?lat=91", "lat must be"),
        ("fake://solo?sped=10", "unknown FAKE option 'sped'"),
    ],
)
async def test_open_refuses_bad_options(url: str, fragment: str) -> None:
    link = _link(url, RecordingSink())
    with pytest.raises(InvalidError, match=fragment):
        await link.open()
    await link.close()


async def test_a_broken_scenario_file_fails_open_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(DROP_SCENARIO.replace('fault = "link_drop"', 'fault = "link_dorp"'))
    link = _link(f"fake://delta?scenario={path}", RecordingSink())
    with pytest.raises(InvalidError, match=r"broken.toml line 9: event\[0\].fault: unknown fault"):
        await link.open()


async def test_close_is_idempotent_and_answers_what_was_pending() -> None:
    sink = RecordingSink()
    never_opened = _link("fake://solo", sink)
    await never_opened.close()
    await never_opened.close()
    result = await never_opened.command(VehicleCommand(CommandName.ARM), timeout_s=1)
    assert result.outcome is CommandOutcome.FAILED

    link = _link("fake://solo?speed=0.01", sink)  # one step every 10 s: the command stays pending
    await link.open()
    pending = asyncio.ensure_future(link.command(VehicleCommand(CommandName.ARM), timeout_s=30))
    await asyncio.sleep(0)
    await link.close()
    await link.close()
    assert (await pending).outcome is CommandOutcome.FAILED
    assert (await link.command(VehicleCommand(CommandName.ARM), timeout_s=1)).outcome is CommandOutcome.FAILED


async def test_a_sink_that_raises_ends_the_link_with_a_failure() -> None:
    class BrokenSink(RecordingSink):
        def on_sample(self, sample: TelemetrySample) -> None:
            raise RuntimeError("sink exploded")

    sink = BrokenSink()
    link = _link("fake://solo?speed=20", sink)
    await link.open()
    try:
        await sink.until(lambda: bool(sink.failures))
    finally:
        await link.close()
    assert "sink exploded" in sink.failures[0]
