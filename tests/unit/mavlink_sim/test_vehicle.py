"""One simulated ArduCopter without sockets: the protocol rules that need a clock or a fault to show."""

from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.fake.scenario import Fault, FaultKind
from groundstation.adapters.mavlink_sim.missions import REQUEST_RETRIES
from tests.unit.mavlink_sim.support import Bench


def test_a_stalled_upload_is_re_requested_then_cancelled() -> None:
    bench = Bench()
    bench.send(bench.gcs.mission_count_encode(1, 1, 3, mavlink.MAV_MISSION_TYPE_MISSION))
    assert [m.seq for m in bench.of("MISSION_REQUEST")] == [0]
    bench.run(1.5 * (REQUEST_RETRIES + 1))
    assert [m.seq for m in bench.of("MISSION_REQUEST")] == [0] * (REQUEST_RETRIES + 1)
    (ack,) = bench.of("MISSION_ACK")
    assert ack.type == mavlink.MAV_MISSION_OPERATION_CANCELLED
    assert (ack.target_system, ack.target_component) == (255, 190)


def test_an_out_of_order_item_gets_the_expected_one_asked_again() -> None:
    bench = Bench()
    bench.send(bench.gcs.mission_count_encode(1, 1, 2, 0))
    rel = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    bench.send(bench.gcs.mission_item_int_encode(1, 1, 1, rel, 16, 0, 1, 0, 0, 0, 0, 1, 1, 10.0))
    assert [m.seq for m in bench.of("MISSION_REQUEST")] == [0, 0]
    bad_frame = mavlink.MAV_FRAME_BODY_NED
    bench.send(bench.gcs.mission_item_int_encode(1, 1, 0, bad_frame, 16, 0, 1, 0, 0, 0, 0, 1, 1, 10.0))
    assert bench.of("MISSION_ACK")[-1].type == mavlink.MAV_MISSION_UNSUPPORTED_FRAME


def test_fence_and_rally_lists_are_empty_and_cannot_be_filled() -> None:
    bench = Bench()
    bench.send(bench.gcs.mission_request_list_encode(1, 1, mavlink.MAV_MISSION_TYPE_FENCE))
    assert bench.of("MISSION_COUNT")[-1].count == 0
    bench.send(bench.gcs.mission_count_encode(1, 1, 4, mavlink.MAV_MISSION_TYPE_RALLY))
    assert bench.of("MISSION_ACK")[-1].type == mavlink.MAV_MISSION_UNSUPPORTED


def test_long_statustext_is_chunked_with_one_id() -> None:
    bench = Bench()
    bench.v.statustext(mavlink.MAV_SEVERITY_WARNING, "x" * 120)
    chunks = bench.of("STATUSTEXT")
    assert [len(c.text) for c in chunks] == [50, 50, 20]
    assert len({c.id for c in chunks}) == 1 and chunks[0].id != 0
    assert [c.chunk_seq for c in chunks] == [0, 1, 2]


def test_a_retry_while_the_first_is_undecided_is_answered_once_decided() -> None:
    bench = Bench()
    bench.run(4.0)  # GPS fix
    arm = mavlink.MAV_CMD_COMPONENT_ARM_DISARM
    bench.send(bench.gcs.command_long_encode(1, 1, arm, 0, 1, 0, 0, 0, 0, 0, 0))
    bench.send(bench.gcs.command_long_encode(1, 1, arm, 1, 1, 0, 0, 0, 0, 0, 0))
    assert not bench.of("COMMAND_ACK")
    bench.run(0.1)
    acks = bench.of("COMMAND_ACK")
    assert [a.result for a in acks] == [mavlink.MAV_RESULT_ACCEPTED] * 2
    assert sum(m.text == "Arming motors" for m in bench.of("STATUSTEXT")) == 1


def test_during_a_link_drop_the_vehicle_is_silent_and_deaf() -> None:
    bench = Bench()
    bench.run(1.0)
    bench.v.sim.inject(Fault(FaultKind.LINK_DROP, duration_s=2.0))
    bench.run(0.1)
    before = len(bench.out)
    bench.send(bench.gcs.command_long_encode(1, 1, mavlink.MAV_CMD_DO_SET_SERVO, 0, 0, 0, 0, 0, 0, 0, 0))
    bench.run(1.5)
    assert len(bench.out) == before
    bench.run(1.0)
    assert len(bench.out) > before  # back in range: streaming again
    assert not bench.of("COMMAND_ACK")


def test_guided_position_target_and_reposition_fly_the_vehicle() -> None:
    bench = Bench()
    bench.run(4.0)
    v = bench.v.vehicle
    for command, params in (
        (mavlink.MAV_CMD_DO_SET_MODE, (1, 4)),
        (mavlink.MAV_CMD_COMPONENT_ARM_DISARM, (1,)),
        (mavlink.MAV_CMD_NAV_TAKEOFF, (0, 0, 0, 0, 0, 0, 10)),
    ):
        p = [*params, *[0] * (7 - len(params))]
        bench.send(bench.gcs.command_long_encode(1, 1, command, 0, *p))
        bench.run(0.1)
    assert [a.result for a in bench.of("COMMAND_ACK")] == [mavlink.MAV_RESULT_ACCEPTED] * 3
    bench.run(6.0)
    assert v.s.up > 5.0
    home = bench.v.config.home
    rel = mavlink.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT
    target = (round((home.lat_deg + 0.0005) * 1e7), round(home.lon_deg * 1e7))
    bench.send(
        bench.gcs.set_position_target_global_int_encode(
            0, 1, 1, rel, 0b110111111000, *target, 20, 0, 0, 0, 0, 0, 0, 0, 0
        )
    )
    bench.run(0.1)
    assert v.s.target is not None and v.s.target[1] > 50.0
    bench.send(
        bench.gcs.command_int_encode(
            1,
            1,
            rel,
            mavlink.MAV_CMD_DO_REPOSITION,
            0,
            0,
            -1,
            0,
            0,
            0,
            round((home.lat_deg - 0.0005) * 1e7),
            target[1],
            15,
        )
    )
    bench.run(0.1)
    assert bench.of("COMMAND_ACK")[-1].result == mavlink.MAV_RESULT_ACCEPTED
    assert v.s.target is not None and v.s.target[1] < -50.0 and v.s.target[2] == 15


def test_reposition_outside_guided_without_the_change_mode_flag_is_denied() -> None:
    bench = Bench()
    bench.send(bench.gcs.command_long_encode(1, 1, mavlink.MAV_CMD_DO_REPOSITION, 0, -1, 0, 0, 0, 1, 1, 10))
    assert bench.of("COMMAND_ACK")[-1].result == mavlink.MAV_RESULT_DENIED


def test_parameters_that_the_model_has_a_knob_for_reach_it() -> None:
    bench = Bench()
    bench.send(bench.gcs.param_set_encode(1, 1, b"BATT_CAPACITY", 10000, mavlink.MAV_PARAM_TYPE_INT32))
    assert bench.v.vehicle.battery.capacity_mah == 10000.0
    echo = bench.of("PARAM_VALUE")[-1]
    assert (echo.param_id, echo.param_value, echo.param_type) == ("BATT_CAPACITY", 10000.0, 6)
