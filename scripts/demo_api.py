"""A walkthrough of the HTTP API against a running server, printing each step.

groundstation tokens create --profile demo --name demo-script --role admin   # prints TOKEN
groundstation serve --profile demo --api &
.venv/bin/python scripts/demo_api.py --token TOKEN [--url http://127.0.0.1:8750]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time
from typing import Any

import httpx
import websockets


def step(title: str, response: httpx.Response | None = None, show: Any = None) -> None:
    status = f" -> {response.status_code}" if response is not None else ""
    print(f"\n== {title}{status}")
    if show is not None:
        print(json.dumps(show, indent=2)[:1200])


async def main(url: str, token: str) -> None:
    transport = httpx.AsyncHTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    headers = {"Authorization": f"Bearer {token}"}
    suffix = int(time.time())
    async with httpx.AsyncClient(base_url=url, headers=headers, transport=transport, timeout=20) as api:
        r = await api.get("/api/health")
        step("health (no token needed)", r, r.json())
        r = await httpx.AsyncClient(base_url=url).get("/api/integration/device-sessions")
        step("without a token", r, r.json())

        name = f"demo-{suffix}"
        start = {"name": name, "adapter": "FAKE", "connection": {"url": f"fake://{name}?seed=7&speed=10"}}
        r = await api.post("/api/integration/device-sessions/start", json=start)
        step("start a FAKE session", r, r.json())
        session = r.json()
        sid = session["id"]
        r = await api.post("/api/integration/device-sessions/start", json={**start, "name": f"{name}-twin"})
        step("start the same device again (conflict names the holder)", r, r.json())

        for _ in range(50):
            r = await api.get(f"/api/integration/device-sessions/{sid}/telemetry")
            if r.json()["sample"] is not None:
                break
            await asyncio.sleep(0.1)
        step("latest telemetry", r, r.json())
        r = await api.get("/api/integration/device-sessions", params={"state": "active", "limit": 5})
        step("list active sessions (paged)", r, r.json())

        r = await api.post(
            f"/api/integration/device-sessions/{sid}/commands",
            json={"command": "set_mode", "params": {"mode": "LOITER"}},
        )
        step("command: set_mode LOITER", r, r.json())
        r = await api.post(f"/api/integration/device-sessions/{sid}/commands", json={"command": "arm"})
        step("command: arm", r, r.json())

        ws_url = url.replace("http", "ws", 1) + "/api/integration/ws"
        async with websockets.connect(ws_url, additional_headers=headers) as ws:
            print("\n== WebSocket:", json.loads(await ws.recv()))
            await ws.send(json.dumps({"type": "subscribe", "session_id": sid, "rate_hz": 5}))
            shown = 0
            while shown < 3:
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if message["type"] == "telemetry":
                    sample = message["sample"]
                    print(f"   telemetry {sample['time']} alt {sample['alt_rel_m']} m mode {sample['mode']}")
                    shown += 1

        stream = {"name": f"{name} camera", "url": "synthetic://?w=640&h=360&fps=15", "linked_session_id": sid}
        r = await api.post("/api/integration/video-streams", json=stream)
        step("create a video stream linked to the session", r, r.json())
        vid = r.json()["id"]
        r = await api.patch(f"/api/integration/video-streams/{vid}", json={"enabled": False})
        step("disable it", r, r.json()["status"])
        r = await api.get(f"/api/integration/video-streams/{vid}/snapshot.jpg")
        step("snapshot.jpg of a disabled stream", r, r.json() if r.status_code != 200 else len(r.content))

        r = await api.get("/api/integration/events", params={"limit": 5})
        step("events (first page)", r, r.json())
        r = await api.post(f"/api/integration/device-sessions/{sid}:stop")
        step("stop the session", r, r.json())
        r = await api.delete(f"/api/integration/video-streams/{vid}")
        step("delete the stream", r)
        r = await api.get("/api/audit", params={"limit": 10})
        step("audit (admin tokens only)", r, r.json())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8750")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.url, args.token))
