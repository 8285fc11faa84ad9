"""The headless runtime (``groundstation serve``): profiles open, sessions running, no window.

Runs until SIGINT/SIGTERM or ``--duration``; on the way out every session it runs ends ``stopped`` and the
last telemetry is flushed. Each state change is logged as one line, so a tester can follow a fleet from a
terminal and a deployment can follow it from a journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from groundstation.adapters.fake import load_scenario
from groundstation.bootstrap import ProfileServices, Runtime, start_demo_fleet
from groundstation.domain import actors
from groundstation.domain.connections import adapter_for_url
from groundstation.domain.events import EventKind, IntegrationEvent
from groundstation.services.bus import EventSubscription

if TYPE_CHECKING:
    from groundstation.api import ApiServer

log = logging.getLogger("groundstation.serve")


@dataclass
class ApiOptions:
    """``serve --api``: where the HTTP API listens (loopback unless ``allow_remote``), optionally TLS."""

    host: str = "127.0.0.1"
    port: int = 8750
    tls_cert: Path | None = None
    tls_key: Path | None = None
    allow_remote: bool = False
    allow_local_files: bool = False  # API clients may name this computer's files and devices


@dataclass
class ServeOptions:
    profiles: Sequence[str]
    demo: bool = False
    scenario: Path | None = None
    connect: Sequence[str] = field(default_factory=tuple)
    duration_s: float | None = None
    api: ApiOptions | None = None


async def serve(options: ServeOptions, runtime: Runtime | None = None) -> int:
    """Run until asked to stop; returns the process exit code."""
    runtime = runtime or Runtime()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    watchers: list[asyncio.Task[None]] = []
    api: ApiServer | None = None
    try:
        for name in options.profiles:
            services = await runtime.open_profile(name)
            watchers.append(loop.create_task(_log_events(services.name, services.bus.subscribe())))
            log.info("profile '%s' open (%s)", name, services.store.profile.path)
        if options.api is not None:
            api = await _start_api(runtime, options.api)
        first = runtime.profiles[options.profiles[0]]
        await _start_requested(first, options)
        runtime.settle()
        log.info("running; stop with Ctrl+C%s", f" or after {options.duration_s:g} s" if options.duration_s else "")
        if options.duration_s is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), options.duration_s)
        else:
            await stop.wait()
        log.info("stopping")
        return 0
    finally:
        if api is not None:
            await api.stop()
        await runtime.close()
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        for sig in installed:
            loop.remove_signal_handler(sig)


async def _start_api(runtime: Runtime, options: ApiOptions) -> ApiServer:
    """Serve every profile this runtime opened; imported here so ``serve`` without ``--api`` stays light."""
    from groundstation.api import ApiServer

    server = ApiServer(
        runtime,
        host=options.host,
        port=options.port,
        tls_cert=options.tls_cert,
        tls_key=options.tls_key,
        allow_remote=options.allow_remote,
        allow_local_files=options.allow_local_files,
    )
    await server.start()
    log.info("API listening on %s (profiles: %s)", server.url, ", ".join(runtime.profiles))
    return server


async def _start_requested(services: ProfileServices, options: ServeOptions) -> None:
    if options.demo:
        await start_demo_fleet(services)
    if options.scenario is not None:
        scenario = load_scenario(options.scenario)
        for vehicle in scenario.vehicles:
            url = f"fake://{vehicle.name}?scenario={options.scenario.resolve()}"
            await _start_or_resume(services, vehicle.name, url)
    for url in options.connect:
        await _start_or_resume(services, _name_from_url(url), url)


async def _start_or_resume(services: ProfileServices, name: str, url: str) -> None:
    """Start a session for ``url``; if one of that name exists with the same URL, resume it instead."""
    existing = await services.sessions.find_by_name(name)
    if existing is not None and existing.connection.url == url.strip():
        if not existing.state.is_live:
            await services.sessions.resume(existing.id, actor=actors.OPERATOR)
        return
    adapter = adapter_for_url(url)
    session = await services.sessions.start(name, adapter, url, actor=actors.OPERATOR)
    if session.last_error:
        log.error("session '%s' failed to start: %s", session.name, session.last_error)


def _name_from_url(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("?", 1)[0].strip("/") or url


async def _log_events(profile: str, subscription: EventSubscription) -> None:
    async for event in subscription:
        line = _describe(event)
        if line:
            log.info("[%s] %s", profile, line)


def _describe(event: IntegrationEvent) -> str | None:
    data = event.data
    if event.kind is EventKind.SESSION_STATE_CHANGED:
        error = f" ({data['error']})" if data.get("error") else ""
        return f"session '{data.get('name')}' {data.get('from')} -> {data.get('to')}{error}"
    if event.kind is EventKind.SESSION_IDENTIFIED:
        what = f"{data.get('vehicle_type')} / {data.get('autopilot')} {data.get('firmware')}"
        return f"session '{data.get('name')}' is {what}"
    if event.kind is EventKind.VEHICLE_MESSAGE:
        return f"session '{data.get('name')}' says [{event.severity.value}] {data.get('text')}"
    if event.kind is EventKind.COMMAND_SENT:
        return (
            f"session '{data.get('name')}' command {data.get('command')}: {data.get('outcome')} {data.get('message')}"
        )
    if event.kind is EventKind.STREAM_STATE_CHANGED:
        error = f" ({data['error']})" if data.get("error") else ""
        return f"stream '{data.get('name')}' {data.get('from')} -> {data.get('to')}{error}"
    if event.kind in (EventKind.RECORDING_STARTED, EventKind.RECORDING_STOPPED):
        verb = "started" if event.kind is EventKind.RECORDING_STARTED else f"stopped ({data.get('state')})"
        return f"stream '{data.get('name')}' recording {data.get('recording_id')} {verb}"
    return None
