"""The TelemetrySink a session hands to its adapter: a thin forwarder bound to one live session.

Kept apart from the session service so an adapter holds only this narrow object, never the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from groundstation.domain.events import Severity
from groundstation.domain.models import VehicleIdentity
from groundstation.domain.telemetry import TelemetrySample

if TYPE_CHECKING:
    from groundstation.services.sessions import LiveSession, SessionService


class SessionSink:
    def __init__(self, service: SessionService, live: LiveSession) -> None:
        self._service = service
        self._live = live

    def on_sample(self, sample: TelemetrySample) -> None:
        self._service.on_sample(self._live, sample)

    def on_identity(self, identity: VehicleIdentity) -> None:
        self._service.on_identity(self._live, identity)

    def on_message(self, severity: Severity, text: str) -> None:
        self._service.on_message(self._live, severity, text)

    def on_failure(self, reason: str) -> None:
        self._service.on_failure(self._live, reason)

    def on_finished(self, reason: str) -> None:
        self._service.on_finished(self._live, reason)
