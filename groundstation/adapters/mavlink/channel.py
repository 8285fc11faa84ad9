"""The narrow view of one vehicle that the MAVLink microservice clients (parameters, missions) work through.

The link implements it; the clients know nothing of sockets, so they are tested against any peer that
speaks the protocol, and the link stays free of protocol state machines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol


class MavChannel(Protocol):
    @property
    def target_system(self) -> int:
        """The vehicle's system id."""

    @property
    def target_component(self) -> int:
        """The autopilot's component id (1 for MAV_COMP_ID_AUTOPILOT1)."""

    @property
    def mav(self) -> Any:
        """A pymavlink ``MAVLink`` encoder carrying our own system and component ids (``mav.xxx_encode``)."""

    def send(self, message: Any) -> None:
        """Queue one encoded pymavlink message for the vehicle; never blocks."""

    def subscribe(self, *message_types: str) -> AbstractAsyncContextManager[AsyncIterator[Any]]:
        """While the context is open, yield every message of these types (``"PARAM_VALUE"``...) from the
        target system, in arrival order. Messages arriving before the context opens are not seen."""
