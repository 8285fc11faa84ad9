"""The real ArduSub logs replayed through the link: what a person expects to find in them, and bad frames
counted exactly as pymavlink itself counts them on the same file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymavlink import mavutil

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.domain.connections import parse_connection
from groundstation.domain.models import AdapterKind
from tests.conftest import SHARED_DATA
from tests.unit.mavlink.support import RecordingSink

SMALL = SHARED_DATA / "ardusub_small.tlog"
BUG = SHARED_DATA / "ardusub_pymavlink_bug_2023-04-18.tlog"


async def replay(path: Path) -> tuple[MavlinkLink, RecordingSink]:
    sink = RecordingSink()
    link = MavlinkLink("ses_replay", parse_connection(AdapterKind.MAVLINK, f"tlog://{path}?speed=max"), sink)
    await link.open()
    result = await link.wait_finished()
    await link.close()
    assert result is not None and result.records > 0
    return link, sink


def pymavlink_counts(path: Path) -> tuple[int, int]:
    log = mavutil.mavlink_connection(str(path))
    good = bad = 0
    while (msg := log.recv_msg()) is not None:
        if msg.get_type() == "BAD_DATA":
            bad += 1
        else:
            good += 1
    log.close()
    return good, bad


async def test_small_log_finds_the_sub_its_camera_and_companion() -> None:
    link, sink = await replay(SMALL)
    summary = link.summary()
    components = {(v["sysid"], v["compid"]): v for v in summary["vehicles"]}
    assert components[(1, 1)]["type"] == "SUBMARINE" and components[(1, 1)]["autopilot"] == "ARDUPILOTMEGA"
    assert (1, 100) in components and (1, 194) in components
    assert summary["modes"] == ["MANUAL"]
    [(start, end)] = summary["armed_intervals"]
    assert start == pytest.approx(206, abs=1.5) and end == pytest.approx(222, abs=1.5)
    assert sink.identities[0].system_id == 1 and sink.identities[0].vehicle_type == "SUBMARINE"
    assert not sink.failures


async def test_small_log_samples_are_normalized_in_log_time() -> None:
    _link, sink = await replay(SMALL)
    samples = sink.samples
    assert samples
    assert all(s.session_id == "ses_replay" for s in samples)
    times = [s.time.timestamp() for s in samples]
    span = times[-1] - times[0]
    assert 250 < span < 270  # log time, not the fraction of a second the replay took
    assert len(samples) <= span * 20 + 1  # bounded at 20 Hz of message time
    assert any(s.armed for s in samples) and any(s.armed is False for s in samples)
    assert {s.mode for s in samples} == {"MANUAL"}
    with_attitude = [s for s in samples if s.roll_deg is not None]
    assert with_attitude and all(-180 <= s.roll_deg <= 180 for s in with_attitude if s.roll_deg is not None)
    assert any(s.battery_v is not None for s in samples)


@pytest.mark.parametrize("path", [SMALL, BUG], ids=["small", "pymavlink-bug"])
async def test_counts_match_pymavlink(path: Path) -> None:
    link, sink = await replay(path)
    good, bad = pymavlink_counts(path)
    assert (link.summary()["messages"], link.stats().bad_frames) == (good, bad)
    assert not sink.failures


async def test_paced_replay_follows_the_recorded_clock(tmp_path: Path) -> None:
    # The first ~2 s of the small log at 10x take about 0.2 s: paced, not instant, not real time.
    head = tmp_path / "head.tlog"
    data = SMALL.read_bytes()
    head.write_bytes(data[:60_000])
    sink = RecordingSink()
    link = MavlinkLink("ses_paced", parse_connection(AdapterKind.MAVLINK, f"tlog://{head}?speed=10"), sink)
    await link.open()
    result = await link.wait_finished()
    await link.close()
    assert result is not None and result.first_t is not None and result.last_t is not None
    log_span = result.last_t - result.first_t
    assert log_span > 0.5
    assert result.wall_s == pytest.approx(log_span / 10, abs=0.25)
