"""Integration events: what happened, for the event log, the WebSocket and anyone integrating with us.

Events are facts in the past tense. They are stored in the profile (so ``/api/integration/events?cursor=``
can page through them after a restart) and published on the bus after the write that caused them commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    SESSION_CREATED = "session.created"
    SESSION_STATE_CHANGED = "session.state_changed"
    SESSION_IDENTIFIED = "session.identified"
    SESSION_DELETED = "session.deleted"
    VEHICLE_MESSAGE = "vehicle.message"
    COMMAND_SENT = "command.sent"
    STREAM_CREATED = "stream.created"
    STREAM_UPDATED = "stream.updated"
    STREAM_DELETED = "stream.deleted"
    STREAM_STATE_CHANGED = "stream.state_changed"
    RECORDING_STARTED = "recording.started"
    RECORDING_STOPPED = "recording.stopped"
    SNAPSHOT_TAKEN = "snapshot.taken"


class Severity(StrEnum):
    """MAVLink's severities collapsed to the four an operator acts on differently."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class IntegrationEvent:
    id: str
    at: datetime
    kind: EventKind
    subject_id: str | None
    severity: Severity = Severity.INFO
    data: dict[str, Any] = field(default_factory=dict)
    # Position in the profile's event log; assigned by storage, None until stored.
    seq: int | None = None
