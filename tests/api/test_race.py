"""Fifty simultaneous starts of one device over real HTTP: exactly one 201, forty-nine 409 naming it."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.conftest import Api, fake_url


async def test_fifty_starts_of_the_same_device(api: Api) -> None:
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    headers = {"Authorization": f"Bearer {api.tokens['alpha-operator']}"}
    async with httpx.AsyncClient(base_url=api.url, headers=headers, limits=limits, timeout=30) as client:
        url = fake_url("contested", 7)
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/integration/device-sessions/start",
                    json={"name": f"racer-{i:02d}", "adapter": "FAKE", "connection": {"url": url}},
                )
                for i in range(50)
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 49
    winner = next(a.json() for a in answers if a.status_code == 201)
    holders = {a.json()["holder"] for a in answers if a.status_code == 409}
    assert holders == {winner["id"]}
    assert all(a.json()["code"] == "conflict" for a in answers if a.status_code == 409)
    live = [s for s in await api.profile("alpha").sessions.list() if s.state.is_live]
    assert [s.id for s in live] == [winner["id"]]
