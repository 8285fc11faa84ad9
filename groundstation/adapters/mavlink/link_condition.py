"""What a transport tells its owner about the connection under it: up, lost and why, reconnecting, back.

A transport knows why bytes stopped (a refused connection, an unplugged radio, ICMP port unreachable) while
the session only sees silence; these reports carry that reason in words to the session's event log and its
``link_lost`` record. ``ConditionReporter`` stands between a transport and its callback so that an outage
with a hundred reconnect attempts reads as one "lost" and one "reconnecting", not a hundred of each.
Nothing here knows of MAVLink.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class LinkState(StrEnum):
    CONNECTED = "connected"  # up for the first time
    LOST = "lost"  # was up (or sending), is not
    RECONNECTING = "reconnecting"  # an attempt to get it back failed; another follows
    BACK = "back"  # up again after being down


@dataclass(frozen=True, slots=True)
class LinkCondition:
    """One change of a transport's condition; ``text`` is the sentence an operator reads."""

    link: str  # the transport as a person names it: "tcp://10.0.0.5:5760", "serial /dev/ttyUSB0"
    state: LinkState
    reason: str | None = None  # why it is down, in words
    next_try_s: float | None = None  # RECONNECTING: the delay before the next attempt
    every_s: float | None = None  # RECONNECTING: how often it tries once backed off
    down_s: float | None = None  # BACK: how long it was down

    @property
    def up(self) -> bool:
        return self.state in (LinkState.CONNECTED, LinkState.BACK)

    @property
    def text(self) -> str:
        if self.state is LinkState.CONNECTED:
            return f"{self.link}: connected"
        if self.state is LinkState.BACK:
            after = f" after {_seconds(self.down_s)} s" if self.down_s is not None else ""
            return f"{self.link}: connected again{after}"
        text = f"{self.link}: {self.reason or 'connection lost'}"
        if self.state is LinkState.RECONNECTING:
            plan = []
            if self.next_try_s is not None:
                plan.append(f"next try in {_seconds(self.next_try_s)} s")
            if self.every_s is not None and self.every_s != self.next_try_s:
                plan.append(f"then every {_seconds(self.every_s)} s")
            elif self.every_s is not None:
                plan = [f"every {_seconds(self.every_s)} s"]
            text += f" (reconnecting{', ' + ', '.join(plan) if plan else ''})"
        return text


ConditionCallback = Callable[[LinkCondition], None]


class ConditionReporter:
    """Passes on what changed, once.

    Within one outage (from going down to coming back) each distinct down condition (state and reason) is
    reported the first time only, whatever the number of attempts; a reason that changes (refused, then no
    route) is news. A link that flaps (a server that accepts and closes at once, a loose connector) would
    still make a pair of reports per cycle, so a down condition already reported within ``repeat_after_s``
    stays quiet in the next outage too, and "back" is reported only to answer a down report of the outage
    it ends. ``current`` is the condition of now, reported or not: what a session asks when it turns
    ``link_lost``, and its own state-change event then carries the reason whatever was rate-limited here.

    Not thread-safe: each transport calls it from one thread (the loop's, or the serial reader's)."""

    def __init__(
        self,
        link: str,
        deliver: ConditionCallback | None,
        *,
        announce_connect: bool = True,
        repeat_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.link = link
        self._deliver = deliver
        self._announce_connect = announce_connect
        self._repeat_after_s = repeat_after_s
        self._clock = clock
        self._reported_at: dict[tuple[LinkState, str | None], float] = {}
        self._outage_reported = False  # whether this outage said anything, so "back" answers it
        self._up: bool | None = None  # None until the first call
        self._ever_up = False
        self._down_since: float | None = None
        self.current: LinkCondition | None = None

    def up(self) -> bool:
        """The transport works (connected, reopened, or a datagram arrived); True when reported."""
        if self._up is True:
            return False
        answered, first = self._outage_reported, not self._ever_up
        down_s = self._clock() - self._down_since if self._down_since is not None else None
        self._up = self._ever_up = True
        self._down_since = None
        self._outage_reported = False
        if first:
            condition = LinkCondition(self.link, LinkState.CONNECTED)
            # A warning that it could not connect yet is answered, even where connecting is no news.
            return self._pass(condition, report=self._announce_connect or answered)
        return self._pass(LinkCondition(self.link, LinkState.BACK, down_s=down_s), report=answered)

    def lost(self, reason: str) -> bool:
        """It stopped working, for ``reason``; True when reported."""
        return self._down(LinkCondition(self.link, LinkState.LOST, reason))

    def retrying(self, reason: str, next_try_s: float, every_s: float) -> bool:
        """An attempt to get it back failed for ``reason``; the next follows in ``next_try_s``."""
        return self._down(LinkCondition(self.link, LinkState.RECONNECTING, reason, next_try_s, every_s))

    def _down(self, condition: LinkCondition) -> bool:
        now = self._clock()
        if self._up is not False:
            self._up = False
            self._down_since = now
            # Forget this outage's predecessors only once they are old: a flapping link stays quiet.
            self._reported_at = {k: t for k, t in self._reported_at.items() if now - t < self._repeat_after_s}
        key = (condition.state, condition.reason)
        news = key not in self._reported_at
        if news:
            self._reported_at[key] = now
            self._outage_reported = True
        return self._pass(condition, report=news)

    def _pass(self, condition: LinkCondition, *, report: bool) -> bool:
        self.current = condition
        if report and self._deliver is not None:
            self._deliver(condition)
        return report


def describe_os_error(exc: BaseException) -> str:
    """A socket or device error in a few words, the same on every platform (Windows' connection errors
    carry WSA codes, not errno's, so the exception class is asked first)."""
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the other end"
    if isinstance(exc, ConnectionAbortedError):
        return "connection aborted"
    if isinstance(exc, BrokenPipeError):
        return "connection broken"
    if isinstance(exc, TimeoutError) and getattr(exc, "errno", None) in (None, errno.ETIMEDOUT):
        return "no answer (timed out)"
    code = getattr(exc, "errno", None)
    if code in _WORDS:
        return _WORDS[code]
    strerror = getattr(exc, "strerror", None)
    return str(strerror or exc or type(exc).__name__).rstrip(".")


_WORDS = {
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ENETDOWN: "network down",
    errno.EIO: "input/output error",
    errno.ENXIO: "device gone",
    errno.ENODEV: "device gone",
    errno.ENOENT: "device not present",
    errno.EADDRNOTAVAIL: "address not available",
}


def _seconds(value: float | None) -> str:
    value = value or 0.0
    return f"{round(value, 2):g}" if value < 10 else f"{round(value)}"
