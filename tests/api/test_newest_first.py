"""``order=desc`` and cursors over real HTTP: the audit log, a session's telemetry history and the event
log walked page by page (newest first and oldest first) with no gap and no repeat, also through runs of equal
times; cursors that are not ours are 422s; an ended session's last sample is one read of storage."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from groundstation.domain import ids
from groundstation.domain.events import EventKind
from groundstation.domain.models import AuditEntry, Outcome
from groundstation.domain.telemetry import TelemetrySample
from tests.api.conftest import Api, fake_url

BASE = "/api/integration/device-sessions"
# Seconds of each record: runs of equal times, so pages end inside them.
SECONDS = [0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 5, 6, 7, 7, 8]


def _invalid_cursor(response: httpx.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "cursor", body


async def _walk(client: httpx.AsyncClient, path: str, key: str, params: dict[str, Any]) -> tuple[list[Any], int]:
    """Every item of a paged list, following ``next_cursor`` until it is null; and how many pages it took."""
    items: list[Any] = []
    cursor: str | None = None
    pages = 0
    while True:
        answer = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items.extend(body[key])
        pages += 1
        assert len(body[key]) <= params["limit"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 100, "the cursor does not move on"


async def test_audit_pages_newest_first_through_equal_times(api: Api) -> None:
    services = api.profile("alpha")
    t0 = datetime.now(UTC) - timedelta(days=1)
    entries = [
        AuditEntry(ids.audit_id(), t0 + timedelta(seconds=s), "test:paging", "x.y", None, Outcome.SUCCESS, {"i": i})
        for i, s in enumerate(SECONDS)
    ]
    await services.store.run(lambda uow: uow.audit.add_many(entries))
    newest = [e.id for e in sorted(entries, key=lambda e: (e.at, e.id), reverse=True)]
    admin = api.client("alpha-admin")

    for limit in (1, 3, 4, 20):
        items, pages = await _walk(
            admin, "/api/audit", "items", {"actor": "test:paging", "limit": limit, "order": "desc"}
        )
        assert [i["id"] for i in items] == newest, limit
        assert pages == -(-len(entries) // limit)  # no empty last page when the set ends on a page boundary
        items, _ = await _walk(admin, "/api/audit", "items", {"actor": "test:paging", "limit": limit, "order": "asc"})
        assert [i["id"] for i in items] == newest[::-1], limit

    # The default is still oldest first, with the same fields as before (and next_cursor beside them).
    first = (await admin.get("/api/audit", params={"actor": "test:paging", "limit": 5})).json()
    assert [i["id"] for i in first["items"]] == newest[::-1][:5]
    assert set(first) == {"items", "next_cursor"}
    assert set(first["items"][0]) == {"id", "at", "actor", "action", "target_id", "outcome", "detail"}
    # The newest entries of the whole log (the access records of the requests above included) need no since.
    latest = (await admin.get("/api/audit", params={"order": "desc", "limit": 1})).json()["items"][0]
    assert latest["at"] > entries[-1].at.isoformat()

    desc_cursor = (await admin.get("/api/audit", params={"order": "desc", "limit": 1})).json()["next_cursor"]
    for garbage in ("garbage", "0", desc_cursor + "!", base64.urlsafe_b64encode(b"audit.desc.1.aud_x; drop").decode()):
        _invalid_cursor(await admin.get("/api/audit", params={"order": "desc", "cursor": garbage}))
    _invalid_cursor(await admin.get("/api/audit", params={"order": "asc", "cursor": desc_cursor}))  # another order
    bad_order = await admin.get("/api/audit", params={"order": "newest"})
    assert bad_order.status_code == 422 and bad_order.json()["field"] == "order", bad_order.text
    assert (await api.client("alpha-operator").get("/api/audit", params={"order": "desc"})).status_code == 403


async def test_telemetry_history_pages_newest_first_with_what_waits_for_the_flush(api: Api) -> None:
    services = api.profile("alpha")
    session = await services.sessions.define("paged", "FAKE", fake_url("paged"))
    t0 = datetime.now(UTC) - timedelta(hours=1)
    stored = [TelemetrySample(session.id, t0 + timedelta(seconds=s), alt_rel_m=float(i)) for i, s in enumerate(SECONDS)]
    await services.store.run(lambda uow: uow.telemetry.add_many(stored))
    # Newer ones still waiting for the hub's next flush belong at the new end.
    waiting = [TelemetrySample(session.id, t0 + timedelta(seconds=20 + k), alt_rel_m=100.0 + k) for k in range(3)]
    for sample in waiting:
        services.hub.publish(sample)
    every = [s.alt_rel_m for s in stored + waiting]  # oldest first; equal times in the order they were stored
    viewer = api.client("alpha-viewer")
    path = f"{BASE}/{session.id}/telemetry/history"

    for limit in (1, 2, 3, 5, 23):
        items, _ = await _walk(viewer, path, "samples", {"limit": limit, "order": "desc"})
        assert [s["alt_rel_m"] for s in items] == every[::-1], limit
        items, _ = await _walk(viewer, path, "samples", {"limit": limit})
        assert [s["alt_rel_m"] for s in items] == every, limit

    # A page read, then the flush, then the next page: nothing lost or repeated.
    first = (await viewer.get(path, params={"limit": 2, "order": "desc"})).json()
    await services.hub.flush()
    rest, _ = await _walk(viewer, path, "samples", {"limit": 4, "order": "desc", "cursor": first["next_cursor"]})
    assert [s["alt_rel_m"] for s in first["samples"] + rest] == every[::-1]

    # The default is unchanged: oldest first.
    default = (await viewer.get(path, params={"limit": 4})).json()
    assert [s["alt_rel_m"] for s in default["samples"]] == every[:4]
    assert set(default) == {"session_id", "samples", "next_cursor"}

    cursor = first["next_cursor"]
    for garbage in ("garbage", "%%%", cursor + "x"):
        _invalid_cursor(await viewer.get(path, params={"order": "desc", "cursor": garbage}))
    _invalid_cursor(await viewer.get(path, params={"order": "asc", "cursor": cursor}))
    audit_cursor = (await api.client("alpha-admin").get("/api/audit", params={"limit": 1})).json()["next_cursor"]
    _invalid_cursor(await viewer.get(path, params={"order": "desc", "cursor": audit_cursor}))

    # The tenant wall: another profile's session id is a 404, whatever the order and cursor.
    bravo = api.client("bravo-operator")
    for params in ({"order": "desc"}, {"order": "desc", "cursor": cursor}, {}):
        assert (await bravo.get(path, params=params)).status_code == 404
    assert (await bravo.get(f"{BASE}/{session.id}/telemetry")).status_code == 404


@contextmanager
def _telemetry_reads() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if "telemetry_samples" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def test_a_stopped_sessions_last_sample_is_one_read(api: Api) -> None:
    services = api.profile("alpha")
    session = await services.sessions.define("ended", "FAKE", fake_url("ended"))
    t0 = datetime.now(UTC) - timedelta(days=2)
    stored = [TelemetrySample(session.id, t0 + timedelta(seconds=s), alt_rel_m=float(i)) for i, s in enumerate(SECONDS)]
    await services.store.run(lambda uow: uow.telemetry.add_many(stored))
    viewer = api.client("alpha-viewer")

    with _telemetry_reads() as reads:
        answer = (await viewer.get(f"{BASE}/{session.id}/telemetry")).json()
    assert answer == {"session_id": session.id, "sample": stored[-1].to_dict(), "live": False}
    assert len(reads) == 1, reads  # not a search through the history
    assert await services.hub.latest_stored(session.id) == stored[-1]

    empty = await services.sessions.define("empty", "FAKE", fake_url("empty"))
    assert await services.hub.latest_stored(empty.id) is None
    assert (await viewer.get(f"{BASE}/{empty.id}/telemetry")).json() == {
        "session_id": empty.id,
        "sample": None,
        "live": False,
    }


async def test_events_page_newest_first_and_back(api: Api) -> None:
    services = api.profile("alpha")
    for i in range(11):
        await services.audit.append_event(EventKind.VEHICLE_MESSAGE, None, {"i": i})
    viewer = api.client("alpha-viewer")
    forward = (await viewer.get("/api/integration/events", params={"limit": 1000})).json()
    every = [e["id"] for e in forward["items"]]
    assert len(every) >= 11

    walked: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        params: dict[str, Any] = {"order": "desc", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await viewer.get("/api/integration/events", params=params)).json()
        assert page["pruned"] is False
        if not page["items"]:
            assert page["next_cursor"] == cursor  # the walk is over and stays over
            break
        walked.extend(e["id"] for e in page["items"])
        cursor = page["next_cursor"]
    assert walked == every[::-1]

    newest = (await viewer.get("/api/integration/events", params={"order": "desc", "limit": 1})).json()
    assert newest["items"][0]["data"] == {"i": 10}
    # A cursor beyond the log is refused in this order too; the default order is unchanged.
    _invalid_cursor(await viewer.get("/api/integration/events", params={"order": "desc", "cursor": "999999"}))
    _invalid_cursor(await viewer.get("/api/integration/events", params={"order": "desc", "cursor": "garbage"}))
    assert (await viewer.get("/api/integration/events", params={"limit": 1000})).json()["items"] == forward["items"]


@pytest.mark.parametrize("path", ["/api/audit", f"{BASE}/ses_0000000000000000/telemetry/history"])
async def test_history_lists_refuse_garbage_cursors_in_either_order(api: Api, path: str) -> None:
    admin = api.client("alpha-admin")
    if "telemetry" in path:
        session = await api.profile("alpha").sessions.define("garbage", "FAKE", fake_url("garbage"))
        path = path.replace("ses_0000000000000000", session.id)
    for order in ("asc", "desc"):
        _invalid_cursor(await admin.get(path, params={"order": order, "cursor": "garbage"}))
