"""Link health of running sessions: silence turns ``active`` into ``link_lost``, data turns it back.

A session that hears nothing within the timeout of its link opening turns ``link_lost`` too (from
``starting``): a refused connection, a name that does not resolve or a port nobody sends to is a lost link an
operator must see, not a start that never ends. Its link keeps trying, and the first sample makes it
``active`` (audited as ``session.active``, since it never was).

The sample path only stamps the time of the newest data and, on the first sample after ``starting`` or
``link_lost``, schedules one transition; a single monitor task compares the stamps with the timeout a few
times per timeout, so detection is prompt without a timer per session. ``transition_pending`` keeps one
transition per session in flight, so a burst of samples or a slow database never queues a pile of them.
Each transition takes the session's lock and re-checks its state first: a stop or a failure that got there
earlier wins. A link that knows why it went quiet (``LinkConditionSource``) has its reason stored with
``link_lost``, as the record's ``last_error`` and the entry's ``reason``; coming back clears it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from groundstation.domain import actors
from groundstation.domain.models import SessionState
from groundstation.domain.ports import LinkConditionSource
from groundstation.services.session_registry import LiveSession, LiveSessions
from groundstation.services.session_writes import SessionWrites

Spawn = Callable[[Coroutine[Any, Any, None]], None]


class LinkWatch:
    def __init__(self, *, live: LiveSessions, writes: SessionWrites, spawn: Spawn, timeout_s: float) -> None:
        self._live = live
        self._writes = writes
        self._spawn = spawn
        self.timeout_s = timeout_s
        self._monitor: asyncio.Task[None] | None = None

    def data_arrived(self, live: LiveSession) -> None:
        """On every sample of a current session: stamp it, and bring a waiting session to ``active``."""
        live.last_data = asyncio.get_running_loop().time()
        if live.state in (SessionState.STARTING, SessionState.LINK_LOST) and not live.transition_pending:
            live.transition_pending = True
            self._spawn(self._data_returned(live))

    def ensure_running(self) -> None:
        if self._monitor is None or self._monitor.done():
            self._monitor = asyncio.get_running_loop().create_task(self._watch_links(), name="link-monitor")

    async def stop(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None

    async def _data_returned(self, live: LiveSession) -> None:
        try:
            async with live.lock:
                if live.closing or not self._live.is_current(live):
                    return
                restored = live.state is SessionState.LINK_LOST and live.was_active
                action = "session.link_restored" if restored else "session.active"
                if live.state in (SessionState.STARTING, SessionState.LINK_LOST):
                    await self._writes.transition(
                        live.session_id, SessionState.ACTIVE, actor=actors.SYSTEM, action=action
                    )
                    live.was_active = True
        finally:
            live.transition_pending = False

    async def _link_silent(self, live: LiveSession, silent_s: float, *, since: SessionState) -> None:
        """``since`` is the state the monitor saw: ``active`` (data stopped) or ``starting`` (none came)."""
        try:
            async with live.lock:
                if live.closing or live.state is not since or not self._live.is_current(live):
                    return
                if since is SessionState.STARTING and live.last_data is not None:
                    return  # data came while this waited for the lock: it is turning active
                reason = _link_problem(live)
                if reason is None and since is SessionState.STARTING:
                    reason = self._nothing_heard(live)
                detail: dict[str, Any] = {"silent_s": round(silent_s, 2)}
                if reason is not None:
                    detail["reason"] = reason
                await self._writes.transition(
                    live.session_id,
                    SessionState.LINK_LOST,
                    actor=actors.SYSTEM,
                    action="session.link_lost",
                    error=reason,
                    detail=detail,
                )
        finally:
            live.transition_pending = False

    async def _watch_links(self) -> None:
        """Checked a few times per timeout so detection is prompt."""
        period = max(0.05, min(0.5, self.timeout_s / 5))
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period)
            now = loop.time()
            for live in self._live.all():
                if live.closing or live.transition_pending:
                    continue
                if live.state is SessionState.ACTIVE:
                    since = live.last_data
                elif live.state is SessionState.STARTING and live.last_data is None:
                    since = live.opened_at  # None until the link opened: opening has its own timeout
                else:
                    continue
                if since is not None and now - since > self.timeout_s:
                    live.transition_pending = True
                    self._spawn(self._link_silent(live, now - since, since=live.state))

    def _nothing_heard(self, live: LiveSession) -> str:
        """Why a session that has heard nothing since its link opened is silent, when the transport is up or
        does not know: what the link waited for, else the URL."""
        link = live.link
        if isinstance(link, LinkConditionSource):
            return link.nothing_heard(self.timeout_s)
        return f"nothing heard within {self.timeout_s:g} s of opening {live.spec.url}"


def _link_problem(live: LiveSession) -> str | None:
    link = live.link
    return link.link_problem() if isinstance(link, LinkConditionSource) else None
