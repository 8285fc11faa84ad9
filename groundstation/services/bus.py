"""The event bus: stored integration events fanned out to live subscribers (event log, WebSocket, UI).

Publishing happens after the transaction that stored the event commits, so a subscriber never sees an event
that a rollback later took back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from groundstation.domain.events import EventKind, IntegrationEvent
from groundstation.services.queues import DropOldestQueue, QueueClosed

log = logging.getLogger(__name__)


class EventSubscription:
    def __init__(self, bus: EventBus, kinds: frozenset[EventKind] | None, maxsize: int) -> None:
        self._bus = bus
        self.kinds = kinds
        self.queue: DropOldestQueue[IntegrationEvent] = DropOldestQueue(maxsize)

    @property
    def dropped(self) -> int:
        return self.queue.dropped

    def wants(self, event: IntegrationEvent) -> bool:
        return self.kinds is None or event.kind in self.kinds

    async def get(self) -> IntegrationEvent:
        return await self.queue.get()

    def close(self) -> None:
        self._bus.unsubscribe(self)

    async def __aiter__(self) -> AsyncIterator[IntegrationEvent]:
        try:
            while True:
                yield await self.queue.get()
        except QueueClosed:
            return


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: list[EventSubscription] = []
        self.published = 0

    def subscribe(self, kinds: set[EventKind] | None = None, *, maxsize: int = 1024) -> EventSubscription:
        sub = EventSubscription(self, frozenset(kinds) if kinds is not None else None, maxsize)
        self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, sub: EventSubscription) -> None:
        sub.queue.close()
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)

    def publish(self, event: IntegrationEvent) -> None:
        self.published += 1
        for sub in self._subscriptions:
            if sub.wants(event):
                sub.queue.put(event)

    def close(self) -> None:
        for sub in list(self._subscriptions):
            self.unsubscribe(sub)
