"""A running session's link figures (messages/s, bad frames, packet loss, RSSI), for the API and the GUI.

Links that measure themselves implement the optional ``LinkStatsSource`` port; this reads it through the
session service's ``live_link``, with the same refusals as the other running-session reads: an unknown id
is NotFoundError, a session that is not running a ConflictError.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.domain.errors import ConflictError
from groundstation.domain.models import AdapterKind, LinkStats, SessionState
from groundstation.domain.ports import LinkStatsSource
from groundstation.services.sessions import SessionService


@dataclass(frozen=True, slots=True)
class SessionLinkStats:
    session_id: str
    adapter: AdapterKind
    state: SessionState
    stats: LinkStats | None
    """None for a running link that keeps no figures (or none yet)."""


async def session_link_stats(sessions: SessionService, session_id: str) -> SessionLinkStats:
    session = await sessions.get(session_id)  # NotFoundError for unknown ids (and other profiles' ids)
    link = sessions.live_link(session_id)
    state = sessions.live_state(session_id)
    if link is None or state is None:
        raise ConflictError(
            f"session '{session.name}' is {session.state.value}; link statistics need a running session",
            holder=session.id,
        )
    stats = link.link_stats() if isinstance(link, LinkStatsSource) else None
    return SessionLinkStats(session.id, session.adapter, state, stats)
