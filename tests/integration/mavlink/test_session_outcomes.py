"""How a MAVLink session ends up when its link never comes up, its file is no tlog, or its replay ends, through
``SessionService`` over real sockets and real files: a link that hears nothing within the link timeout of
opening turns ``link_lost`` with the reason (and becomes ``active`` on the first heartbeat), a file without
MAVLink fails at once, and a replay read to its end stops by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.bootstrap import ProfileServices
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import DeviceSession, Outcome, SessionState
from tests.conftest import SHARED_DATA
from tests.integration.mavlink.sim_support import (
    LINK_TIMEOUT_S,
    profile_runtime,
    sim_in_loop,
    sim_process,
    wait_state,
)
from tests.unit.mavlink.support import free_tcp_port, free_udp_port
from tests.waiting import wait_until

pytestmark = pytest.mark.peer

SMALL = SHARED_DATA / "ardusub_small.tlog"


async def _state_changes(services: ProfileServices, session_id: str) -> list[tuple[str, str, str | None]]:
    return [
        (e.data["from"], e.data["to"], e.data.get("error"))
        for e in await services.audit.list_events()
        if e.kind is EventKind.SESSION_STATE_CHANGED and e.subject_id == session_id
    ]


async def _lost_from_start(services: ProfileServices, session: DeviceSession) -> DeviceSession:
    """The session turned ``link_lost`` straight from ``starting``, its reason stored three times over."""
    await wait_state(services, session.id, SessionState.LINK_LOST, within=LINK_TIMEOUT_S + 10)
    stored = await services.sessions.get(session.id)
    assert stored.last_error is not None
    [entry] = await services.audit.list(action="session.link_lost", target_id=session.id)
    assert (entry.actor, entry.outcome, entry.detail["reason"]) == ("system", Outcome.SUCCESS, stored.last_error)
    assert entry.detail["silent_s"] >= LINK_TIMEOUT_S
    assert await _state_changes(services, session.id) == [("starting", "link_lost", stored.last_error)]
    return stored


async def test_a_refused_tcp_link_turns_link_lost_with_the_reason_and_keeps_trying(tmp_path: Path) -> None:
    port = free_tcp_port()  # nothing listens there: every attempt is refused
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("refused", "MAVLINK", f"tcp://127.0.0.1:{port}")
        assert session.state is SessionState.STARTING
        stored = await _lost_from_start(services, session)
        assert stored.last_error.startswith(f"tcp://127.0.0.1:{port}: connection refused (reconnecting")
        # Still trying: the simulator coming up later is found, and the session turns active by itself.
        async with sim_process("--tcp-listen", f"127.0.0.1:{port}", "--speed", "4"):
            await wait_state(services, session.id, SessionState.ACTIVE, within=30)
        back = await services.sessions.get(session.id)
        assert back.last_error is None
        actions = [a.action for a in await services.audit.list(target_id=session.id)]
        # It was never active before, so this is its first activation, not a restored link.
        assert "session.active" in actions and "session.link_restored" not in actions
        await services.sessions.stop(session.id)


async def test_a_host_name_that_does_not_resolve_turns_link_lost_saying_so(tmp_path: Path) -> None:
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("nowhere", "MAVLINK", "tcp://nonexistent.invalid:5760")
        stored = await _lost_from_start(services, session)
        assert stored.last_error.startswith("tcp://nonexistent.invalid:5760: cannot resolve the host name")
        await services.sessions.stop(session.id)
        assert (await services.sessions.get(session.id)).state is SessionState.STOPPED


@pytest.mark.slow
async def test_a_silent_udp_port_turns_link_lost_then_active_on_the_first_heartbeat(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("quiet", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        stored = await _lost_from_start(services, session)
        assert (
            stored.last_error == f"no heartbeat from system 1 within {LINK_TIMEOUT_S:g} s on udpin://127.0.0.1:{port}"
        )
        async with sim_in_loop(port, 1):
            await wait_state(services, session.id, SessionState.ACTIVE)
            assert (await services.sessions.get(session.id)).last_error is None
            await services.sessions.stop(session.id)
        changes = [(a, b) for a, b, _ in await _state_changes(services, session.id)]
        assert changes == [
            ("starting", "link_lost"),
            ("link_lost", "active"),
            ("active", "stopping"),
            ("stopping", "stopped"),
        ]


@pytest.mark.slow
async def test_a_session_waiting_for_another_vehicle_names_those_it_hears(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services, sim_in_loop(port, 1):
        session = await services.sessions.start("wrong id", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=7")
        stored = await _lost_from_start(services, session)
        assert stored.last_error == (
            f"no heartbeat from system 7 within {LINK_TIMEOUT_S:g} s on udpin://127.0.0.1:{port} (heard: system 1)"
        )
        await services.sessions.stop(session.id)


# ----------------------------------------------------------------------------------------------- not a tlog
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"root:x:0:0:root:/root:/bin/bash\n" * 40, "no MAVLink frame in the first 64 KiB of {path}"),
        (b"", "{path} is empty"),
        (SMALL.read_bytes()[:40], "no MAVLink frame in the first 64 KiB of {path}"),  # cut inside the first frame
    ],
    ids=["text", "empty", "cut-in-its-first-frame"],
)
async def test_a_file_that_is_no_tlog_fails_at_once_saying_why(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "flight.tlog"
    path.write_bytes(content)
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("replay", "MAVLINK", f"tlog://{path}?speed=max")
        assert session.state is SessionState.FAILED
        assert session.last_error == "not a tlog: " + words.format(path=path)
        [entry] = await services.audit.list(action="session.open", target_id=session.id)
        assert entry.outcome is Outcome.FAILURE
        assert services.sessions.live_state(session.id) is None  # nothing left running


# ----------------------------------------------------------------------------------------------- replay end
async def _ended(services: ProfileServices, session_id: str) -> DeviceSession:
    async def ended() -> bool:
        return not (await services.sessions.get(session_id)).state.is_live

    await wait_until(ended, within=60)
    return await services.sessions.get(session_id)


@pytest.mark.parametrize(("cut", "records"), [(None, 35916), (100_000, None)], ids=["whole", "truncated"])
async def test_a_replay_read_to_its_end_stops_by_itself(tmp_path: Path, cut: int | None, records: int | None) -> None:
    path = SMALL
    if cut is not None:  # a real log cut short (mid-frame): still a log, replayed as far as it goes
        path = tmp_path / "cut.tlog"
        path.write_bytes(SMALL.read_bytes()[:cut])
    async with profile_runtime(tmp_path) as services:
        session = await services.sessions.start("replay", "MAVLINK", f"tlog://{path}?speed=max")
        assert session.state is SessionState.STARTING
        ended = await _ended(services, session.id)
        assert (ended.state, ended.last_error) == (SessionState.STOPPED, None)
        changes = [(a, b) for a, b, _ in await _state_changes(services, session.id)]
        assert changes == [("starting", "active"), ("active", "stopping"), ("stopping", "stopped")]
        [finish] = await services.audit.list(action="session.finish", target_id=session.id)
        assert (finish.actor, finish.outcome) == ("system", Outcome.SUCCESS)
        reason = finish.detail["reason"]
        assert reason.startswith("replay finished: ") and reason.endswith(" s")
        if records is not None:  # every record read: 35,912 messages and 4 bad frames
            assert reason.startswith(f"replay finished: {records} records in ")
        messages = [
            e
            for e in await services.audit.list_events()
            if e.kind is EventKind.VEHICLE_MESSAGE and e.subject_id == session.id and e.data["text"] == reason
        ]
        assert [e.severity for e in messages] == [Severity.INFO]
        assert not await services.audit.list(action="session.link_lost", target_id=session.id)
        assert not await services.audit.list(action="session.fail", target_id=session.id)
