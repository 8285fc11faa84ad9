"""A real API server on 127.0.0.1 (uvicorn on the test's own loop) over two profiles, with tokens.

``alpha`` and ``bravo`` are two tenants; ``alpha`` has a token of each role, ``bravo`` an operator token.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.api import ApiServer
from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain.models import Role
from groundstation.storage import FileProfileCatalog


@dataclass
class Api:
    runtime: Runtime
    server: ApiServer
    tokens: dict[str, str] = field(default_factory=dict)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def profile(self, name: str) -> ProfileServices:
        return self.runtime.profiles[name]

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        """``token`` is a key of ``tokens`` (``alpha-operator``) or None for no Authorization header."""
        headers = {"Authorization": f"Bearer {self.tokens[token]}"} if token is not None else {}
        client = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=20, transport=transport())
        self.clients.append(client)
        return client


def transport() -> httpx.AsyncHTTPTransport:
    """With TCP_NODELAY: without it each request of httpx waits out a 40 ms delayed ACK on loopback."""
    return httpx.AsyncHTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


async def start_api(home: Path, *, video: bool, allow_local_files: bool = False) -> Api:
    catalog = FileProfileCatalog(home)
    for name in ("alpha", "bravo"):
        catalog.create(name)
    factory = OpenCvVideoSourceFactory(backoff_min_s=0.5, backoff_max_s=1.0) if video else None
    runtime = Runtime(catalog, video_factory=factory)
    api = Api(runtime, ApiServer(runtime, port=0, allow_local_files=allow_local_files))
    for name in ("alpha", "bravo"):
        services = await runtime.open_profile(name)
        roles = list(Role) if name == "alpha" else [Role.OPERATOR]
        for role in roles:
            issued = await services.tokens.create(f"{name}-{role.value}", role)
            api.tokens[f"{name}-{role.value}"] = issued.secret
    await api.server.start()
    return api


async def stop_api(api: Api) -> None:
    for client in api.clients:
        await client.aclose()
    await api.server.stop()
    await api.runtime.close()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    started = await start_api(tmp_path / "gshome", video=False)
    try:
        yield started
    finally:
        await stop_api(started)


@pytest.fixture
async def video_api(tmp_path: Path) -> AsyncIterator[Api]:
    started = await start_api(tmp_path / "gshome", video=True)
    try:
        yield started
    finally:
        await stop_api(started)


def fake_url(name: str, seed: int = 1) -> str:
    return f"fake://{name}?seed={seed}&speed=10"
