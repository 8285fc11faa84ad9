"""The normalizer's state is keyed by the sample's own fields: every field a message fills reaches the sample,
and MISSION_CURRENT becomes the live ``mission_seq`` (none when the vehicle says it has no mission)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.adapters.mavlink.normalize import STATE_FIELDS, VehicleState
from groundstation.domain.telemetry import GpsFix, TelemetrySample

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MAV = mavlink2.MAVLink(None, srcSystem=1, srcComponent=1)


def handle(state: VehicleState, msg: object) -> None:
    state.handle(msg.get_type(), msg)  # type: ignore[attr-defined]


def test_state_covers_every_sample_field_but_what_the_link_knows() -> None:
    names = {f.name for f in fields(TelemetrySample)}
    assert set(STATE_FIELDS) == names - {"session_id", "time", "link_quality_pct"}


def test_messages_reach_the_sample_with_units_and_mission_current() -> None:
    state = VehicleState("ses_1")
    handle(state, MAV.global_position_int_encode(0, -353632610, 1491652300, 584_500, 12_250, 300, 400, -50, 9000))
    handle(state, MAV.gps_raw_int_encode(0, 3, 0, 0, 0, 120, 65535, 0, 0, 11))
    handle(state, MAV.mission_current_encode(4, 7))
    sample = state.take_sample(1.0, NOW, 88.0)
    assert (sample.session_id, sample.time, sample.link_quality_pct) == ("ses_1", NOW, 88.0)
    assert (sample.lat_deg, sample.lon_deg) == (-35.363261, 149.16523)
    assert (sample.alt_msl_m, sample.alt_rel_m, sample.heading_deg) == (584.5, 12.25, 90.0)
    assert (sample.groundspeed_mps, sample.climb_mps) == (5.0, 0.5)
    assert (sample.gps_fix, sample.satellites, sample.hdop) == (GpsFix.FIX_3D, 11, 1.2)
    assert sample.mission_seq == 4 and state.mode is None

    handle(state, MAV.mission_current_encode(0, 65535))  # "no mission on the vehicle"
    assert state.take_sample(2.0, NOW, None).mission_seq is None
