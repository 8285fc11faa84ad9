"""What the window needs of one opened profile: its services, and nothing of storage or adapters.

``groundstation.bootstrap.ProfileServices`` fits this shape; the UI names the shape instead of importing the
composition root, which would pull storage and adapters into the UI's import graph (the layer contracts in
``pyproject.toml`` forbid that).
"""

from __future__ import annotations

from typing import Protocol

from groundstation.services.bus import EventBus
from groundstation.services.sessions import SessionService
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.video import VideoStreamService
from groundstation.services.video_pipeline import VideoPipeline


class ProfileServicesView(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def bus(self) -> EventBus: ...

    @property
    def hub(self) -> TelemetryHub: ...

    @property
    def sessions(self) -> SessionService: ...

    @property
    def streams(self) -> VideoStreamService: ...

    @property
    def video(self) -> VideoPipeline | None: ...
