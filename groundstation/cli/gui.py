"""``groundstation gui`` (and ``groundstation`` alone): the desktop window.

Opens ``--profile``, else the profile used last, else ``demo`` (created on first run, with its FAKE fleet
started and its synthetic feeds decoding), so a newcomer sees a live ground station within seconds. The CLI
is the composition's top layer: it builds the runtime with the OpenCV video factory and hands the opened
profile's services to the UI, which never imports adapters or storage itself. The same goes for the HTTP
API: ``EmbeddedApi`` wraps ``ApiServer`` for the window, which turns it on and off from the profile's
``api.*`` settings without importing the API layer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from groundstation.cli.common import positive_float, profile_name
from groundstation.domain.errors import NotFoundError, UnavailableError
from groundstation.domain.models import StreamState
from groundstation.domain.ports import ProfileCatalog
from groundstation.domain.profiles import DEMO_PROFILE, is_valid_profile_name
from groundstation.domain.video import StreamStatus

log = logging.getLogger(__name__)

LAST_PROFILE_FILE = "gui-last-profile"
LAYOUT_CHOICES = ("1", "2x2", "3x3", "4x4")


def register(sub: Any) -> None:
    gui = sub.add_parser("gui", help="start the desktop application (the default)")
    gui.add_argument("--profile", type=profile_name, help="the profile to open (default: the last used, or demo)")
    gui.add_argument("--layout", choices=LAYOUT_CHOICES, help="video tiles: 1, 2x2, 3x3 or 4x4")
    gui.add_argument(
        "--theme", choices=("dark", "light", "sunlight"), help="colour theme (default: the profile's setting)"
    )
    gui.add_argument("--screenshot", type=Path, metavar="FILE", help="save a PNG of the window before quitting")
    gui.add_argument("--quit-after", type=positive_float, metavar="S", help="close the window after S seconds")
    gui.add_argument("--stats", action="store_true", help="print loop stalls and displayed fps as JSON at exit")
    gui.set_defaults(handler=_gui, loop_factory=_qt_loop)


def default_arguments() -> list[str]:
    """What ``groundstation`` with no arguments means: the window."""
    return ["gui"]


def _qt_loop() -> Any:
    _require_display()
    from groundstation.ui.app import qt_event_loop

    return qt_event_loop()


def _require_display() -> None:
    """Qt aborts the whole process (no exception to catch) when it has no screen: say so in one line first."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise UnavailableError(
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop "
        "session, under xvfb-run, with QT_QPA_PLATFORM=offscreen for screenshots, or headless: "
        "groundstation serve --profile demo --demo"
    )


class RuntimeProfiles:
    """The window's ``ProfileHost``: the runtime's catalog, and a switch that closes the open profile (its
    sessions stop and release their devices) before opening the next one."""

    def __init__(self, runtime: Any, last_file: Path | None = None) -> None:
        self.runtime = runtime
        self.last_file = last_file

    def names(self) -> list[str]:
        return sorted(p.name for p in self.runtime.catalog.list())

    async def create(self, name: str) -> None:
        await asyncio.to_thread(self.runtime.catalog.create, name)

    async def switch(self, name: str) -> Any:
        for open_name in list(self.runtime.profiles):
            services = self.runtime.profiles.pop(open_name)
            await services.close()
        services = await self.runtime.open_profile(name)
        if self.last_file is not None:
            _remember(self.last_file, name)
        return services


class EmbeddedApi:
    """The window's ``ApiControl``: one ``ApiServer`` on 127.0.0.1 (never another address from the GUI) on
    the window's qasync loop, serving every profile the runtime has open. Imported lazily, so a window with
    the API off never loads FastAPI or uvicorn."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self._server: Any = None

    @property
    def url(self) -> str | None:
        server = self._server
        return str(server.url) if server is not None and server.running else None

    async def start(self, port: int) -> str:
        server = self._server
        if server is not None and server.running and server.port == port:
            return str(server.url)
        await self.stop()
        from groundstation.api import ApiServer

        server = ApiServer(self.runtime, host="127.0.0.1", port=port)
        await server.start()  # a port in use raises UnavailableError naming it; the window shows it
        self._server = server
        log.info("API listening on %s", server.url)
        return str(server.url)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()


async def probe_video(url: str, seconds: float) -> StreamStatus:
    """A short-lived decoder on ``url`` (its own thread) for the stream manager's "Test"; the loop only
    polls its status. Returns the status once live for ``seconds``, failed, or timed out opening."""
    from groundstation.adapters.video import OpenCvVideoSourceFactory
    from groundstation.adapters.video.source_spec import parse_source

    spec = parse_source(url)
    worker = OpenCvVideoSourceFactory(backoff_min_s=60.0, backoff_max_s=60.0).create_worker(
        "probe", url, on_status=lambda _s: None
    )
    await asyncio.to_thread(worker.start)
    try:
        open_by = time.monotonic() + (spec.open_timeout_ms + spec.read_timeout_ms) / 1000 + 2.0
        live_until: float | None = None
        while True:
            status = worker.status()
            now = time.monotonic()
            if status.state is StreamState.LIVE and live_until is None:
                live_until = now + seconds
            if status.state in (StreamState.ERROR, StreamState.RECONNECTING) and status.last_error:
                return status
            if (live_until is not None and now >= live_until) or (live_until is None and now >= open_by):
                return status
            await asyncio.sleep(0.1)
    finally:
        await asyncio.to_thread(worker.stop)


async def _gui(args: argparse.Namespace) -> int:
    from groundstation.adapters.mavlink.serial_link import list_serial_ports
    from groundstation.adapters.video import OpenCvVideoSourceFactory
    from groundstation.bootstrap import Runtime, ensure_demo_profile, start_demo_fleet
    from groundstation.storage import FileProfileCatalog
    from groundstation.ui.app import WindowOptions, run_window

    catalog = FileProfileCatalog()
    last_file = catalog.root / LAST_PROFILE_FILE
    name = args.profile or _last_profile(last_file, catalog) or DEMO_PROFILE
    runtime = Runtime(catalog, video_factory=OpenCvVideoSourceFactory())
    if name == DEMO_PROFILE:
        await ensure_demo_profile(runtime)
    elif not catalog.exists(name):
        raise NotFoundError(f"no profile '{name}' (create it with: groundstation profiles create {name})")
    try:
        services = await runtime.open_profile(name)
        _remember(last_file, name)

        async def start_fleet() -> None:
            await start_demo_fleet(services)

        options = WindowOptions(
            layout=args.layout,
            theme=args.theme,
            screenshot=args.screenshot,
            quit_after_s=args.quit_after,
            stats=args.stats,
        )
        api = EmbeddedApi(runtime)
        try:
            stats = await run_window(
                services,
                options,
                startup=start_fleet if name == DEMO_PROFILE else None,
                host=RuntimeProfiles(runtime, last_file),
                probe=probe_video,
                # Once the window is up and the demo fleet runs, start-up's heap leaves the collector: a full
                # collection over it stalled the loop (the window's and the API's) by ~100 ms.
                ready=runtime.settle,
                api=api,
                serial_ports=list_serial_ports,
            )
        finally:
            await api.stop()
    finally:
        await runtime.close()
    if args.stats:
        sys.stdout.write(json.dumps(stats) + "\n")
        sys.stdout.flush()
    return 0


def _last_profile(path: Path, catalog: ProfileCatalog) -> str | None:
    """The profile the window had open last time, if it still exists."""
    try:
        name = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if is_valid_profile_name(name) and catalog.exists(name) else None


def _remember(path: Path, name: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name + "\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not remember the last used profile in %s: %s", path, exc)
