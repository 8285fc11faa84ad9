"""Sessions started by themselves for vehicles that appear on a link the profile already listens to.

A radio or a router may carry a fleet: the operator starts one session on the link, and with the profile's
``mavlink.auto_sessions`` setting on, every further autopilot that heartbeats there becomes a session of its
own (named after the link and its system id, ``udpin:14550 sys 3``), started by the ``system`` actor so the
audit log shows nobody clicked. The adapter announces each vehicle once per open link; a session of that
name that exists already is resumed rather than duplicated, and one that is running is left alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

from groundstation.domain import actors
from groundstation.domain.errors import GroundstationError
from groundstation.domain.models import DiscoveredVehicle
from groundstation.domain.ports import VehicleDiscovery
from groundstation.services.sessions import SessionService
from groundstation.services.settings import SettingsService

log = logging.getLogger(__name__)

SETTING = "mavlink.auto_sessions"


def auto_session_name(notice: DiscoveredVehicle) -> str:
    return f"{notice.link} sys {notice.system_id}"


class AutoSessionService:
    """Listens to the adapters' discoveries and starts sessions for this profile's links only."""

    def __init__(self, *, sessions: SessionService, settings: SettingsService) -> None:
        self._sessions = sessions
        self._settings = settings
        self._removers: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def listen(self, sources: Iterable[object]) -> None:
        """Register with every adapter that discovers vehicles (the others are skipped)."""
        for source in sources:
            if isinstance(source, VehicleDiscovery):
                self._removers.append(source.add_discovery_listener(self._heard))

    def _heard(self, notice: DiscoveredVehicle) -> None:
        # Only links of this profile: the adapters are shared by every profile the process opened.
        if not any(self._sessions.live_state(sid) is not None for sid in notice.heard_by):
            return
        task = asyncio.get_running_loop().create_task(self._start(notice), name=f"auto-session:{notice.system_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start(self, notice: DiscoveredVehicle) -> None:
        try:
            if not await self._settings.get(SETTING):
                return
            name = auto_session_name(notice)
            existing = await self._sessions.find_by_name(name)
            if existing is None:
                await self._sessions.start(name, notice.adapter, notice.url, actor=actors.SYSTEM)
            elif not existing.state.is_live:
                await self._sessions.resume(existing.id, actor=actors.SYSTEM)
        except GroundstationError as exc:
            # Refused and audited by the session service already (a name or device conflict): log and go on.
            log.warning("could not start a session for system %d on %s: %s", notice.system_id, notice.link, exc)

    async def close(self) -> None:
        for remove in self._removers:
            remove()
        self._removers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
