"""Every conflict rule, and the tenant wall: nothing of profile A is reachable through profile B."""

from __future__ import annotations

import pytest

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.models import AdapterKind, SessionState


async def test_session_names_are_unique_per_profile(profile: ProfileServices) -> None:
    first = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://one")
    await profile.sessions.stop(first.id)
    with pytest.raises(ConflictError) as info:
        await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://two")
    assert first.id in info.value.message
    assert info.value.holder == first.id


async def test_one_live_session_per_device_naming_the_holder(profile: ProfileServices) -> None:
    holder = await profile.sessions.start("first", AdapterKind.FAKE, "fake://alpha?seed=1")
    with pytest.raises(ConflictError) as info:
        await profile.sessions.start("second", AdapterKind.FAKE, "fake://alpha?seed=2")
    assert "held by live session 'first'" in info.value.message
    assert info.value.holder == holder.id
    await profile.sessions.stop(holder.id)
    second = await profile.sessions.start("second", AdapterKind.FAKE, "fake://alpha?seed=2")
    assert second.state.is_live
    # Resuming the first now collides with the second, which holds the device.
    with pytest.raises(ConflictError, match="held by live session 'second'"):
        await profile.sessions.resume(holder.id)


async def test_the_same_device_may_be_live_in_two_profiles(runtime: Runtime) -> None:
    a = await runtime.open_profile("alpha-co")
    b = await runtime.open_profile("bravo-co")
    assert (await a.sessions.start("x", AdapterKind.FAKE, "fake://alpha")).state.is_live
    assert (await b.sessions.start("x", AdapterKind.FAKE, "fake://alpha")).state.is_live


async def test_an_endpoint_is_held_by_one_live_session_in_the_whole_process(runtime: Runtime) -> None:
    a = await runtime.open_profile("alpha-co")
    b = await runtime.open_profile("bravo-co")
    holder = await a.sessions.start("radio", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")
    with pytest.raises(ConflictError) as info:
        await b.sessions.start("radio", AdapterKind.MAVLINK, "udpin://127.0.0.1:14550")
    assert "endpoint udp:14550 is held by session 'radio'" in info.value.message
    assert "profile 'alpha-co'" in info.value.message
    # Within one profile, another vehicle on the same link shares the endpoint (one session per sysid)...
    second = await a.sessions.start("radio sys 2", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?sysid=2")
    assert second.state.is_live
    # ...and the other profile is still refused while any of them holds it, naming the first holder.
    with pytest.raises(ConflictError, match="held by session 'radio'"):
        await b.sessions.start("radio", AdapterKind.MAVLINK, "udpin://127.0.0.1:14550?sysid=3")
    await a.sessions.stop(holder.id)
    with pytest.raises(ConflictError, match="held by session 'radio sys 2'"):
        await b.sessions.start("radio", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")
    await a.sessions.stop(second.id)
    assert (await b.sessions.start("radio", AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")).state.is_live


async def test_stream_names_are_unique_per_profile(runtime: Runtime) -> None:
    a = await runtime.open_profile("alpha-co")
    b = await runtime.open_profile("bravo-co")
    first = await a.streams.create("front", "synthetic://?w=320&h=240")
    with pytest.raises(ConflictError) as info:
        await a.streams.create("front", "synthetic://?w=640&h=480")
    assert info.value.holder == first.id
    second = await a.streams.create("rear", "synthetic://")
    with pytest.raises(ConflictError):
        await a.streams.update(second.id, name="front")
    assert (await b.streams.create("front", "synthetic://")).name == "front"


async def test_ids_of_one_profile_are_not_found_in_another_for_every_call(runtime: Runtime) -> None:
    a = await runtime.open_profile("alpha-co")
    b = await runtime.open_profile("bravo-co")
    session = await a.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    stopped = await a.sessions.start("old", AdapterKind.FAKE, "fake://old")
    await a.sessions.stop(stopped.id)
    stream = await a.streams.create("front", "synthetic://", linked_session_id=session.id)

    calls = [
        b.sessions.get(session.id),
        b.sessions.stop(session.id),
        b.sessions.resume(stopped.id),
        b.sessions.delete(stopped.id),
        b.streams.get(stream.id),
        b.streams.update(stream.id, name="mine"),
        b.streams.delete(stream.id),
        b.commands.send(session.id, "arm"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError) as info:
            await call
        assert "bravo-co" in info.value.message
    with pytest.raises(InvalidError, match="not found in profile 'bravo-co'"):
        await b.streams.create("spy", "synthetic://", linked_session_id=session.id)
    assert await b.sessions.list() == []
    assert await b.streams.list() == []
    assert await b.hub.history(session.id) == []
    assert b.hub.latest(session.id) is None
    # B's log holds B's own refused attempts, and no success.
    refused = await b.audit.list(target_id=session.id)
    assert refused
    assert {e.outcome.value for e in refused} == {"failure"}
    # And nothing in A changed.
    assert (await a.sessions.get(session.id)).state.is_live
    assert (await a.sessions.get(stopped.id)).state is SessionState.STOPPED
    assert (await a.streams.get(stream.id)).name == "front"
