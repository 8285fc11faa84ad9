from __future__ import annotations

import asyncio

import pytest

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError, UnsupportedError
from groundstation.domain.events import EventKind
from groundstation.domain.models import AdapterKind, Outcome, SessionState
from tests.integration.services.conftest import ScriptedAdapter
from tests.waiting import wait_until


async def test_start_goes_active_on_first_data_and_stores_identity(profile: ProfileServices) -> None:
    events = profile.bus.subscribe()
    session = await profile.sessions.start("alpha", "fake", "fake://alpha")
    assert session.state in (SessionState.STARTING, SessionState.ACTIVE)
    await wait_until(lambda: profile.sessions.live_state(session.id) is SessionState.ACTIVE)
    await wait_until(lambda: _identified(profile, session.id))
    stored = await profile.sessions.get(session.id)
    assert stored.state is SessionState.ACTIVE
    assert stored.started_at is not None
    assert stored.identity.autopilot == "scripted"
    seen = [e for e in (events.queue.get_nowait() for _ in range(len(events.queue))) if e is not None]
    kinds = [e.kind for e in seen]
    assert kinds[0] is EventKind.SESSION_CREATED
    assert EventKind.SESSION_IDENTIFIED in kinds
    changes = [(e.data["from"], e.data["to"]) for e in seen if e.kind is EventKind.SESSION_STATE_CHANGED]
    assert changes == [("starting", "active")]
    actions = [(a.actor, a.action, a.outcome) for a in await profile.audit.list(target_id=session.id)]
    assert actions[0] == ("operator", "session.start", Outcome.SUCCESS)
    assert ("system", "session.active", Outcome.SUCCESS) in actions


async def _identified(profile: ProfileServices, sid: str) -> bool:
    return (await profile.sessions.get(sid)).identity.system_id == 1


async def test_stop_then_resume_then_delete(profile: ProfileServices) -> None:
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    stopped = await profile.sessions.stop(s.id)
    assert stopped.state is SessionState.STOPPED
    assert stopped.stopped_at is not None
    resumed = await profile.sessions.resume(s.id)
    assert resumed.id == s.id
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    with pytest.raises(ConflictError, match="stop it before deleting"):
        await profile.sessions.delete(s.id)
    await profile.sessions.stop(s.id)
    await profile.sessions.delete(s.id)
    with pytest.raises(NotFoundError):
        await profile.sessions.get(s.id)


@pytest.mark.parametrize("action", ["stop", "resume"])
async def test_illegal_transitions_are_refused_and_audited_as_failures(profile: ProfileServices, action: str) -> None:
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    if action == "stop":
        await profile.sessions.stop(s.id)
        with pytest.raises(ConflictError, match="cannot go from stopped to stopping"):
            await profile.sessions.stop(s.id)
    else:
        with pytest.raises(ConflictError, match="only stopped, failed or interrupted sessions can be resumed"):
            await profile.sessions.resume(s.id)
    failures = await profile.audit.list(action=f"session.{action}", target_id=s.id)
    assert failures[-1].outcome is Outcome.FAILURE
    assert "error" in failures[-1].detail
    assert (await profile.sessions.get(s.id)).state is (
        SessionState.STOPPED if action == "stop" else SessionState.ACTIVE
    )


async def test_a_link_that_cannot_open_leaves_a_failed_session_with_the_reason(profile: ProfileServices) -> None:
    s = await profile.sessions.start("bad", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?fail=open")
    assert s.state is SessionState.FAILED
    assert s.last_error is not None
    assert "Address already in use" in s.last_error
    entry = (await profile.audit.list(action="session.open"))[-1]
    assert entry.outcome is Outcome.FAILURE
    assert entry.actor == "system"
    # The endpoint was released: another session can take the port.
    ok = await profile.sessions.start("good", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")
    assert ok.state.is_live


async def test_an_adapter_not_in_the_build_is_unsupported_and_audited(profile: ProfileServices) -> None:
    with pytest.raises(UnsupportedError, match="DJI adapter is not available"):
        await profile.sessions.start("dock", "DJI", "dji://4TADK8C001")
    assert (await profile.audit.list(action="session.start"))[-1].outcome is Outcome.FAILURE


@pytest.mark.parametrize(
    ("name", "adapter", "url", "field"),
    [
        ("", "FAKE", "fake://a", "name"),
        ("x" * 65, "FAKE", "fake://a", "name"),
        ("ok", "PIGEON", "fake://a", "adapter"),
        ("ok", "FAKE", "udpin://0.0.0.0:1", "connection.url"),
        ("ok", "FAKE", "fake://a?typo=1", "connection.url"),
    ],
)
async def test_bad_start_requests_name_the_field(
    profile: ProfileServices, name: str, adapter: str, url: str, field: str
) -> None:
    with pytest.raises(InvalidError) as info:
        await profile.sessions.start(name, adapter, url)
    assert info.value.field == field
    assert (await profile.audit.list(action="session.start"))[-1].outcome is Outcome.FAILURE
    assert await profile.sessions.list() == []


async def test_silence_turns_into_link_lost_and_data_brings_it_back(
    profile: ProfileServices, scripted: dict[AdapterKind, ScriptedAdapter]
) -> None:
    events = profile.bus.subscribe({EventKind.SESSION_STATE_CHANGED})
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.LINK_LOST)  # timeout is 0.4 s
    scripted[AdapterKind.FAKE].links[s.id].emit(alt_rel_m=10.0)
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    seen = []
    while len(events.queue):
        event = events.queue.get_nowait()
        assert event is not None
        seen.append((event.data["from"], event.data["to"]))
    assert ("active", "link_lost") in seen
    assert ("link_lost", "active") in seen
    lost = await profile.audit.list(action="session.link_lost", target_id=s.id)
    restored = await profile.audit.list(action="session.link_restored", target_id=s.id)
    assert lost[0].actor == "system"
    assert restored[0].actor == "system"


async def test_restart_leaves_live_sessions_interrupted_then_resume_works(
    runtime: Runtime, scripted: dict[AdapterKind, ScriptedAdapter]
) -> None:
    profile = await runtime.open_profile("alpha-co")
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    # Simulate a dead process: drop the runtime's hold without stopping anything.
    runtime.profiles.pop("alpha-co")
    for link in scripted[AdapterKind.FAKE].links.values():
        link.sink = _Void()
    await profile.hub.close()
    await profile.store.close()

    again = Runtime(runtime.catalog, adapters=scripted, link_timeout_s=0.4)
    try:
        reopened = await again.open_profile("alpha-co")
        assert (await reopened.sessions.get(s.id)).state is SessionState.INTERRUPTED
        interrupt = (await reopened.audit.list(action="session.interrupt"))[-1]
        assert interrupt.actor == "system"
        await reopened.sessions.resume(s.id)
        await wait_until(lambda: reopened.sessions.live_state(s.id) is SessionState.ACTIVE)
    finally:
        await again.close()


async def test_auto_resume_setting_resumes_interrupted_sessions(
    runtime: Runtime, scripted: dict[AdapterKind, ScriptedAdapter]
) -> None:
    profile = await runtime.open_profile("alpha-co")
    await profile.settings.set("sessions.auto_resume", True, actor="operator")
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    runtime.profiles.pop("alpha-co")
    await profile.store.close()
    again = Runtime(runtime.catalog, adapters=scripted, link_timeout_s=0.4)
    try:
        reopened = await again.open_profile("alpha-co")
        assert (await reopened.sessions.get(s.id)).state.is_live
        assert (await reopened.audit.list(action="session.resume"))[-1].actor == "system"
    finally:
        await again.close()


async def test_shutdown_stops_every_session(runtime: Runtime) -> None:
    profile = await runtime.open_profile("alpha-co")
    ids = [(await profile.sessions.start(n, AdapterKind.FAKE, f"fake://{n}")).id for n in ("a", "b", "c")]
    await profile.sessions.shutdown()
    for sid in ids:
        assert (await profile.sessions.get(sid)).state is SessionState.STOPPED


async def test_concurrent_starts_of_one_device_give_exactly_one_session(profile: ProfileServices) -> None:
    results = await asyncio.gather(
        *(profile.sessions.start(f"s{i}", AdapterKind.FAKE, "fake://same") for i in range(20)),
        return_exceptions=True,
    )
    started = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(started) == 1
    assert len(refused) == 19
    assert all("held by live session" in r.message for r in refused)


class _Void:
    def on_sample(self, *_: object) -> None: ...
    def on_identity(self, *_: object) -> None: ...
    def on_message(self, *_: object) -> None: ...
    def on_failure(self, *_: object) -> None: ...
    def on_finished(self, *_: object) -> None: ...


async def test_a_link_that_hears_nothing_after_opening_turns_link_lost_then_active_on_data(
    profile: ProfileServices, scripted: dict[AdapterKind, ScriptedAdapter]
) -> None:
    s = await profile.sessions.start("mute", AdapterKind.FAKE, "fake://mute?silent=1")
    assert s.state is SessionState.STARTING
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.LINK_LOST)  # timeout is 0.4 s
    stored = await profile.sessions.get(s.id)
    # The scripted link cannot say why (no LinkConditionSource): the session names what it waited on.
    assert stored.last_error == "nothing heard within 0.4 s of opening fake://mute?silent=1"
    [lost] = await profile.audit.list(action="session.link_lost", target_id=s.id)
    assert lost.detail["reason"] == stored.last_error and lost.actor == "system"
    scripted[AdapterKind.FAKE].links[s.id].emit(alt_rel_m=1.0)
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    assert (await profile.sessions.get(s.id)).last_error is None
    actions = [a.action for a in await profile.audit.list(target_id=s.id)]
    assert "session.active" in actions and "session.link_restored" not in actions


async def test_a_link_whose_source_finished_stops_by_itself(
    profile: ProfileServices, scripted: dict[AdapterKind, ScriptedAdapter]
) -> None:
    s = await profile.sessions.start("replayed", AdapterKind.FAKE, "fake://replayed")
    await wait_until(lambda: profile.sessions.live_state(s.id) is SessionState.ACTIVE)
    link = scripted[AdapterKind.FAKE].links[s.id]
    link.sink.on_finished("replay finished: 12 records in 0.1 s")
    await wait_until(lambda: profile.sessions.live_state(s.id) is None)
    stored = await profile.sessions.get(s.id)
    assert (stored.state, stored.last_error) == (SessionState.STOPPED, None)
    assert link.closed == 1
    [finish] = await profile.audit.list(action="session.finish", target_id=s.id)
    assert (finish.actor, finish.detail["reason"]) == ("system", "replay finished: 12 records in 0.1 s")
    with pytest.raises(ConflictError, match="cannot go from stopped to stopping"):
        await profile.sessions.stop(s.id)  # ended: nothing left to stop
