"""Several vehicles on one link: the simulator's three copters on one UDP port, each its own session.

Named in the URL (``?sysid=N``), the sessions share one socket; with ``mavlink.auto_sessions`` on, one session
on the link is enough and the other autopilots become sessions by themselves, started by ``system``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from groundstation.adapters.mavlink import MavlinkAdapter, MavlinkLink
from groundstation.domain import actors
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.errors import ConflictError
from groundstation.domain.models import AdapterKind, SessionState
from tests.integration.mavlink.sim_support import profile_runtime, sim_in_loop, sim_process, wait_identified, wait_state
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until

pytestmark = [pytest.mark.peer, pytest.mark.slow]


async def test_three_sessions_by_sysid_share_one_udp_port_and_stay_apart(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services:
        sessions = [
            await services.sessions.start(f"copter {n}", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid={n}")
            for n in (1, 2, 3)
        ]
        assert all(s.state is SessionState.STARTING for s in sessions)
        # The same vehicle twice is refused by the device rule, before any socket is touched.
        with pytest.raises(ConflictError, match="held by live session 'copter 2'"):
            await services.sessions.start("again", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=2")
        async with sim_process("--vehicles", "3", "--udpout", f"127.0.0.1:{port}", "--speed", "4") as sim:
            for n, session in enumerate(sessions, start=1):
                await wait_state(services, session.id, SessionState.ACTIVE)
                identity = (await wait_identified(services, session)).identity
                assert (identity.system_id, identity.vehicle_type, identity.firmware) == (n, "QUADROTOR", "4.5.7")
            links = [services.sessions.live_link(s.id) for s in sessions]
            assert all(isinstance(link, MavlinkLink) for link in links)
            # One endpoint: the same counters, the same systems, one parse of each frame.
            stats = [link.stats() for link in links if isinstance(link, MavlinkLink)]
            assert len({id(link._endpoint) for link in links if isinstance(link, MavlinkLink)}) == 1
            assert stats[0].messages_in > 0
            # A command reaches only its own vehicle.
            await wait_until(lambda: all((s := services.hub.latest(x.id)) and s.mode for x in sessions))
            result = await services.commands.send(sessions[1].id, "set_mode", {"mode": "ALT_HOLD"})
            assert result.outcome is CommandOutcome.ACCEPTED, result.message
            await wait_until(lambda: (s := services.hub.latest(sessions[1].id)) is not None and s.mode == "ALT_HOLD")
            for other in (sessions[0], sessions[2]):
                latest = services.hub.latest(other.id)
                assert latest is not None and latest.mode == "STABILIZE"
            # Stopping one session keeps the socket open for the others.
            await services.sessions.stop(sessions[0].id)
            seen = services.hub.latest(sessions[2].id)
            await wait_until(lambda: services.hub.latest(sessions[2].id) is not seen)
            assert services.sessions.live_state(sessions[2].id) is SessionState.ACTIVE
            # All links quiet: every session on it is link_lost; back: every one recovers.
            await sim.stop()
            for session in sessions[1:]:
                await wait_state(services, session.id, SessionState.LINK_LOST)
            await sim.start()
            for session in sessions[1:]:
                await wait_state(services, session.id, SessionState.ACTIVE, within=15)
        for session in sessions[1:]:
            await services.sessions.stop(session.id)
        adapter = services.sessions._adapters[AdapterKind.MAVLINK]
        assert isinstance(adapter, MavlinkAdapter) and adapter.endpoints.get(f"udp:{port}") is None


async def test_auto_sessions_pick_up_every_other_autopilot_on_the_link(tmp_path: Path) -> None:
    port = free_udp_port()
    label = f"udpin:{port}"
    async with profile_runtime(tmp_path) as services:
        await services.settings.set("mavlink.auto_sessions", True, actor=actors.OPERATOR)
        first = await services.sessions.start("radio", "MAVLINK", f"udpin://127.0.0.1:{port}")
        async with sim_in_loop(port, 3):
            await wait_state(services, first.id, SessionState.ACTIVE)

            async def all_three() -> bool:
                names = {s.name for s in await services.sessions.list()}
                return names >= {f"{label} sys 2", f"{label} sys 3"} or {f"{label} sys 1", f"{label} sys 2"} <= names

            await wait_until(all_three, within=10)
            auto = [s for s in await services.sessions.list() if s.name != "radio"]
            assert len(auto) == 2
            followed = (await wait_identified(services, first)).identity.system_id
            assert {followed} | {int(s.name.rsplit(" ", 1)[1]) for s in auto} == {1, 2, 3}
            for session in auto:
                await wait_state(services, session.id, SessionState.ACTIVE)
                identity = (await wait_identified(services, session)).identity
                assert session.name == f"{label} sys {identity.system_id}"
                assert session.connection.options["sysid"] == str(identity.system_id)
                [entry] = await services.audit.list(action="session.start", target_id=session.id)
                assert entry.actor == actors.SYSTEM
            # Stopping an automatic session is the operator's choice: it is not started again behind their back.
            await services.sessions.stop(auto[0].id)
            stays_stopped = await services.sessions.get(auto[0].id)
            assert stays_stopped.state is SessionState.STOPPED
        for session in [first, *auto[1:]]:
            await services.sessions.stop(session.id)
        assert (await services.sessions.get(auto[0].id)).state is SessionState.STOPPED


async def test_without_the_setting_other_vehicles_are_only_listed(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services:
        first = await services.sessions.start("radio", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        async with sim_in_loop(port, 3):
            await wait_state(services, first.id, SessionState.ACTIVE)
            link = services.sessions.live_link(first.id)
            assert isinstance(link, MavlinkLink)
            await wait_until(lambda: link.vehicle_ids == [1, 2, 3])
            assert [s.name for s in await services.sessions.list()] == ["radio"]
        await services.sessions.stop(first.id)
