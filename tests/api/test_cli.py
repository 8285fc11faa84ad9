"""The CLI beside a running server: tokens created by another process count at the next request, revoked ones
within ``AUTH_CACHE_S``;
``serve --api`` serves every profile; a non-loopback address needs ``--allow-remote``."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from groundstation.services.tokens import AUTH_CACHE_S
from tests.api.conftest import Api

pytestmark = pytest.mark.slow


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GROUNDSTATION_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "groundstation", *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


async def test_a_token_created_by_the_cli_beside_the_server_is_accepted_then_revoked(api: Api, tmp_path: Path) -> None:
    home = tmp_path / "gshome"
    created = await asyncio.to_thread(
        _cli, home, "tokens", "create", "--profile", "bravo", "--name", "ci-bot", "--role", "viewer"
    )
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert re.fullmatch(r"gs_[A-Za-z0-9_-]{43}", secret)
    assert "shown this once" in created.stderr
    client = httpx.AsyncClient(base_url=api.url, headers={"Authorization": f"Bearer {secret}"})
    api.clients.append(client)
    assert (await client.get("/api/integration/device-sessions")).status_code == 200

    listed = await asyncio.to_thread(_cli, home, "tokens", "list", "--profile", "bravo", "--json")
    rows = json.loads(listed.stdout)
    bot = next(r for r in rows if r["name"] == "ci-bot")
    assert bot["role"] == "viewer" and bot["revoked_at"] is None and bot["last_used_at"] is not None
    assert secret not in listed.stdout

    revoked = await asyncio.to_thread(_cli, home, "tokens", "revoke", "--profile", "bravo", "--name", "ci-bot")
    assert revoked.returncode == 0, revoked.stderr
    # A valid authentication is remembered for AUTH_CACHE_S: another process's revocation counts within it.
    deadline = time.monotonic() + AUTH_CACHE_S + 0.5
    while (status := (await client.get("/api/integration/device-sessions")).status_code) == 200:
        assert time.monotonic() < deadline, "the revoked token was still accepted after the cache window"
        await asyncio.sleep(0.05)
    assert status == 401
    audit = await api.profile("bravo").audit.list()
    assert ("operator", "token.create") in [(a.actor, a.action) for a in audit]
    assert ("operator", "token.revoke") in [(a.actor, a.action) for a in audit]
    assert ("api:ci-bot", "api.auth") in [(a.actor, a.action) for a in audit]


def test_serve_with_the_api_over_two_profiles(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("one", "two"):
        assert _cli(home, "profiles", "create", name).returncode == 0
    secrets = {
        name: _cli(home, "tokens", "create", "--profile", name, "--name", "t", "--role", "operator").stdout.strip()
        for name in ("one", "two")
    }
    env = {**os.environ, "GROUNDSTATION_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groundstation",
            "serve",
            "--profile",
            "one",
            "--profile",
            "two",
            "--api",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            found = re.search(r"API listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        assert url is not None
        for name, secret in secrets.items():
            started = httpx.post(
                f"{url}/api/integration/device-sessions/start",
                json={"name": f"{name}-v", "adapter": "FAKE", "connection": {"url": f"fake://{name}-v?speed=10"}},
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert started.status_code == 201, started.text
            listed = httpx.get(f"{url}/api/integration/device-sessions", headers={"Authorization": f"Bearer {secret}"})
            assert [s["name"] for s in listed.json()["items"]] == [f"{name}-v"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_remote_address_needs_allow_remote(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _cli(home, "profiles", "create", "one").returncode == 0
    refused = _cli(home, "serve", "--profile", "one", "--api", "--host", "0.0.0.0", "--duration", "1")
    assert refused.returncode == 1
    assert "--allow-remote" in refused.stderr
    allowed = _cli(
        home,
        "serve",
        "--profile",
        "one",
        "--api",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--allow-remote",
        "--duration",
        "1",
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "beyond this computer" in allowed.stderr
    assert "not using TLS" in allowed.stderr
