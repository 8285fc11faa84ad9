"""What the window needs of one opened profile: its services, and nothing of storage or adapters.

``groundstation.bootstrap.ProfileServices`` fits this shape; the UI names the shape instead of importing the
composition root, which would pull storage and adapters into the UI's import graph (the layer contracts in
``pyproject.toml`` forbid that). What the window needs of the process around it (the other profiles, a
video probe, the embedded HTTP API, the serial ports) comes the same way: ``ProfileHost``, ``ApiControl`` and
``SerialPortLister`` are shapes the CLI fills in.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from groundstation.domain.connections import SerialPortInfo
from groundstation.domain.video import StreamStatus
from groundstation.services.audit import AuditService
from groundstation.services.bus import EventBus
from groundstation.services.commands import CommandService
from groundstation.services.recordings import RecordingService
from groundstation.services.sessions import SessionService
from groundstation.services.settings import SettingsService
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.vehicle_setup import MissionService, ParameterService
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
    def commands(self) -> CommandService: ...

    @property
    def audit(self) -> AuditService: ...

    @property
    def settings(self) -> SettingsService: ...

    @property
    def video(self) -> VideoPipeline | None: ...

    @property
    def recordings(self) -> RecordingService | None: ...

    @property
    def parameters(self) -> ParameterService: ...

    @property
    def missions(self) -> MissionService: ...


# Opens a short-lived decoder on a URL that is not saved as a stream yet, for ``seconds``; its final status.
VideoProbe = Callable[[str, float], Coroutine[Any, Any, StreamStatus]]

# The serial ports the computer has now, for the new-session dialog's picker. It asks the operating system
# (pyserial, an adapter's library the UI may not import) and may take a while, so callers run it off the Qt
# thread.
SerialPortLister = Callable[[], Sequence[SerialPortInfo]]


class ProfileHost(Protocol):
    """The process's profiles, as the window may use them: list, create, and switch (the host closes the
    profile the window had and opens the next, so one process never holds two profiles' devices)."""

    def names(self) -> list[str]: ...

    async def create(self, name: str) -> None: ...

    async def switch(self, name: str) -> ProfileServicesView: ...


class ApiControl(Protocol):
    """The embedded HTTP API as the window drives it from the profile's ``api.enabled`` and ``api.port``.

    The CLI fills this in around ``groundstation.api.ApiServer``: the UI may not import the API layer (it
    would pull FastAPI and uvicorn into the UI's import graph, which the layer contracts forbid). The server
    runs on the window's own loop, on 127.0.0.1 only, and serves every profile the process has open."""

    @property
    def url(self) -> str | None:
        """Where it listens, or None when it is not running."""
        ...

    async def start(self, port: int) -> str:
        """Listen on 127.0.0.1:``port`` (restarting on another port if it runs elsewhere); returns the URL.
        Raises a ``GroundstationError`` saying why when it cannot (a port in use)."""
        ...

    async def stop(self) -> None: ...
