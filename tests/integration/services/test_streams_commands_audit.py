from __future__ import annotations

import pytest

from groundstation.bootstrap import ProfileServices
from groundstation.domain.commands import CommandOutcome
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.models import AdapterKind, Outcome, StreamState


async def test_stream_crud_with_a_linked_session(profile: ProfileServices) -> None:
    session = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    stream = await profile.streams.create("nose", "rtsp://127.0.0.1:8554/cam", linked_session_id=session.id)
    assert stream.state is StreamState.IDLE
    assert [s.id for s in await profile.streams.list(linked_session_id=session.id)] == [stream.id]
    disabled = await profile.streams.update(stream.id, enabled=False, name="nose cam")
    assert disabled.state is StreamState.DISABLED
    assert disabled.name == "nose cam"
    assert disabled.version > stream.version
    enabled = await profile.streams.update(stream.id, enabled=True, linked_session_id=None)
    assert enabled.state is StreamState.IDLE
    assert enabled.linked_session_id is None
    await profile.streams.delete(stream.id)
    with pytest.raises(NotFoundError):
        await profile.streams.get(stream.id)
    actions = [(e.action, e.outcome) for e in await profile.audit.list(target_id=stream.id)]
    assert actions == [
        ("stream.create", Outcome.SUCCESS),
        ("stream.update", Outcome.SUCCESS),
        ("stream.update", Outcome.SUCCESS),
        ("stream.delete", Outcome.SUCCESS),
    ]


async def test_deleting_a_session_unlinks_its_streams(profile: ProfileServices) -> None:
    session = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    stream = await profile.streams.create("nose", "synthetic://", linked_session_id=session.id)
    await profile.sessions.delete(session.id)
    assert (await profile.streams.get(stream.id)).linked_session_id is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("cam", "no scheme"),
        ("ftp://x/y", "unsupported stream scheme"),
        ("udp://0.0.0.0", "needs a port"),
        ("device://front", "device number"),
        ("synthetic://?w=99999", "synthetic w"),
        ("synthetic://?pattern=plaid", "unknown synthetic pattern"),
    ],
)
async def test_bad_stream_urls_are_refused_and_the_refusal_audited(
    profile: ProfileServices, url: str, words: str
) -> None:
    with pytest.raises(InvalidError, match=words) as info:
        await profile.streams.create("cam", url)
    assert info.value.field == "url"
    last = (await profile.audit.list(action="stream.create"))[-1]
    assert last.outcome is Outcome.FAILURE
    assert words in last.detail["error"]
    assert await profile.streams.list() == []


async def test_commands_are_sent_and_audited_with_their_outcome(profile: ProfileServices) -> None:
    s = await profile.sessions.start("alpha", AdapterKind.FAKE, "fake://alpha")
    accepted = await profile.commands.send(s.id, "arm")
    assert accepted.outcome is CommandOutcome.ACCEPTED
    denied = await profile.commands.send(s.id, "takeoff", {"alt_m": 10})
    assert denied.outcome is CommandOutcome.DENIED
    assert denied.message == "Takeoff: not armed"
    with pytest.raises(InvalidError, match="unknown command 'fly'"):
        await profile.commands.send(s.id, "fly")
    with pytest.raises(InvalidError, match="bad parameter"):
        await profile.commands.send(s.id, "arm", {"bad": True})
    await profile.sessions.stop(s.id)
    with pytest.raises(ConflictError, match="commands need a running session"):
        await profile.commands.send(s.id, "arm")
    log = [
        (e.outcome, e.detail.get("result"), e.detail.get("error"))
        for e in await profile.audit.list(action="command.send")
    ]
    assert log[0] == (Outcome.SUCCESS, "accepted", None)
    assert log[1] == (Outcome.FAILURE, "denied", None)
    assert [entry[0] for entry in log[2:]] == [Outcome.FAILURE] * 3


async def test_every_write_leaves_exactly_one_audit_entry(profile: ProfileServices) -> None:
    before = len(await profile.audit.list())
    s = await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")
    with pytest.raises(ConflictError):
        await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://beta")
    await profile.settings.set("sessions.link_timeout_s", 5, actor="operator")
    with pytest.raises(InvalidError, match="unknown setting"):
        await profile.settings.set("sessions.link_timeout", 5, actor="operator")
    await profile.sessions.delete(s.id)
    entries = (await profile.audit.list())[before:]
    assert [(e.action, e.outcome) for e in entries] == [
        ("session.define", Outcome.SUCCESS),
        ("session.define", Outcome.FAILURE),
        ("settings.set", Outcome.SUCCESS),
        ("settings.set", Outcome.FAILURE),
        ("session.delete", Outcome.SUCCESS),
    ]
    assert all(e.actor == "operator" for e in entries)
    assert await profile.settings.get("sessions.link_timeout_s") == 5.0
