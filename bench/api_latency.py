"""API latency under load: list and get calls against a profile of 1,000 sessions and 1,000 streams.

The server runs as ``groundstation`` runs it (uvicorn on the runtime's own loop, 10 FAKE vehicles flying at
10 Hz); 50 concurrent httpx clients run in a child process so their CPU does not share the server's GIL.
Each client sends a request every ``--interval`` seconds (open loop, as integrating tools poll), one phase
per call; ``/api/health`` in the same run is the baseline (it needs no token and no database).

    .venv/bin/python bench/api_latency.py [--clients 50] [--requests 20] [--interval 0.5] [--without-access-log]

Prints a table, the ratio of each call's p99 to the baseline's, how many access records (``api.request``,
one per authenticated request, buffered and written once a second) were stored, and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_LIST_P99_MS = 20.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ------------------------------------------------------------------------------------------------ clients
async def _client_main(url: str, token: str, plan: dict[str, Any]) -> dict[str, Any]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    session_ids, stream_ids = plan["session_ids"], plan["stream_ids"]
    phases = {
        "health": lambda i: "/api/health",
        "list_sessions": lambda i: "/api/integration/device-sessions",
        "list_streams": lambda i: "/api/integration/video-streams",
        "get_session": lambda i: f"/api/integration/device-sessions/{session_ids[i % len(session_ids)]}",
        "get_stream": lambda i: f"/api/integration/video-streams/{stream_ids[i % len(stream_ids)]}",
    }
    # TCP_NODELAY: httpcore writes a request in pieces, and with Nagle on, the piece after the first waits
    # for the server's delayed ACK (40 ms on Linux): a client-side artefact that would swamp every figure.
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    clients = [
        httpx.AsyncClient(
            base_url=url, headers=headers, timeout=30, transport=httpx.AsyncHTTPTransport(socket_options=nodelay)
        )
        for _ in range(plan["clients"])
    ]
    results: dict[str, Any] = {}
    try:
        for c in clients:  # connections open before timing starts
            (await c.get("/api/health")).raise_for_status()
        for phase, path_of in phases.items():
            latencies: list[float] = []
            started = time.perf_counter()

            async def run(
                n: int,
                client: httpx.AsyncClient,
                path_of: Any = path_of,
                out: list[float] = latencies,
                phase: str = phase,
            ) -> None:
                loop = asyncio.get_running_loop()
                await asyncio.sleep(plan["interval"] * n / plan["clients"])  # spread the clients over a period
                next_at = loop.time()
                for i in range(plan["requests"]):
                    t0 = time.perf_counter()
                    response = await client.get(path_of(n * plan["requests"] + i))
                    out.append((time.perf_counter() - t0) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{phase}: {response.status_code} {response.text[:200]}")
                    next_at += plan["interval"]
                    await asyncio.sleep(max(0.0, next_at - loop.time()))

            await asyncio.gather(*(run(n, c) for n, c in enumerate(clients)))
            elapsed = time.perf_counter() - started
            results[phase] = {
                "n": len(latencies),
                "p50_ms": round(statistics.median(latencies), 2),
                "p99_ms": round(_percentile(latencies, 0.99), 2),
                "max_ms": round(max(latencies), 2),
                "rps": round(len(latencies) / elapsed, 1),
            }
    finally:
        for c in clients:
            await c.aclose()
    return results


# ------------------------------------------------------------------------------------------------ server
async def _server_main(args: argparse.Namespace) -> dict[str, Any]:
    from groundstation.api import ApiServer
    from groundstation.bootstrap import Runtime
    from groundstation.domain.models import Role
    from groundstation.storage import FileProfileCatalog

    with tempfile.TemporaryDirectory(prefix="gs-bench-") as tmp:
        catalog = FileProfileCatalog(Path(tmp))
        catalog.create("bench")
        runtime = Runtime(catalog)
        try:
            services = await runtime.open_profile("bench")
            t0 = time.perf_counter()
            sessions = [
                await services.sessions.define(f"v{i:04d}", "FAKE", f"fake://v{i:04d}?seed={i}") for i in range(1000)
            ]
            for i in range(1000):
                linked = sessions[i].id if i % 2 == 0 else None
                await services.streams.create(
                    f"cam{i:04d}", f"synthetic://?w=320&h=240&pattern=ball&fps={1 + i % 30}", linked_session_id=linked
                )
            setup_s = time.perf_counter() - t0
            for s in sessions[:10]:
                await services.sessions.resume(s.id)
            token = (await services.tokens.create("bench", Role.VIEWER)).secret
            if args.without_access_log:  # the A/B reference: the same run with access records not kept
                services.audit.access.record = lambda **_: None  # type: ignore[method-assign]
            server = ApiServer(runtime, port=0)
            await server.start()
            runtime.settle()  # as `serve` does once it is up
            plan = {
                "clients": args.clients,
                "requests": args.requests,
                "interval": args.interval,
                "session_ids": [s.id for s in sessions],
                "stream_ids": [s.id for s in await services.streams.list()],
            }
            plan_file = Path(tmp) / "plan.json"
            plan_file.write_text(json.dumps(plan))
            live = sum(1 for s in await services.sessions.list() if s.state.is_live)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--client", server.url, token, str(plan_file), stdout=subprocess.PIPE
            )
            out, _ = await proc.communicate()
            await server.stop()
            if proc.returncode != 0:
                raise SystemExit(f"the client process failed ({proc.returncode})")
            results: dict[str, Any] = json.loads(out)
            # Every authenticated request is audited (buffered, written once a second): count what was stored,
            # so a run that measured without the access log shows it.
            await services.audit.access.flush()
            audited = len(await services.audit.list(action="api.request"))
            return {"setup_s": round(setup_s, 1), "live_sessions": live, "results": results, "audited": audited}
        finally:
            await runtime.close()


def _report(args: argparse.Namespace, run: dict[str, Any]) -> None:
    results = run["results"]
    base = results["health"]
    print(
        f"profile: 1000 sessions + 1000 streams (made in {run['setup_s']} s), {run['live_sessions']} FAKE vehicles "
        f"live; {args.clients} clients x {args.requests} requests, one every {args.interval:g} s each"
    )
    print(f"{'call':<15}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>8}{'p99/health':>12}")
    for name, r in results.items():
        ratio = r["p99_ms"] / base["p99_ms"] if base["p99_ms"] else float("nan")
        print(f"{name:<15}{r['n']:>6}{r['p50_ms']:>9}{r['p99_ms']:>9}{r['max_ms']:>9}{r['rps']:>8}{ratio:>12.2f}")
    worst_list = max(results["list_sessions"]["p99_ms"], results["list_streams"]["p99_ms"])
    verdict = "met" if worst_list < TARGET_LIST_P99_MS else "NOT met"
    print(f"target p99 < {TARGET_LIST_P99_MS:g} ms for list calls: {verdict} (worst list p99 {worst_list} ms)")
    print(f"access records stored (api.request): {run['audited']}")
    summary = {
        "bench": "api_latency",
        "clients": args.clients,
        "interval_s": args.interval,
        "sessions": 1000,
        "streams": 1000,
        "live_vehicles": run["live_sessions"],
        **{f"{k}_{m}": v[m] for k, v in results.items() for m in ("p50_ms", "p99_ms")},
        "list_p99_over_health_p99": round(worst_list / base["p99_ms"], 2) if base["p99_ms"] else None,
        "target_met": worst_list < TARGET_LIST_P99_MS,
        "audited_requests": run["audited"],
    }
    print(json.dumps(summary))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, token, plan_file = sys.argv[2:5]
        plan = json.loads(Path(plan_file).read_text())
        print(json.dumps(asyncio.run(_client_main(url, token, plan))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client and per call")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a client's requests")
    parser.add_argument(
        "--without-access-log", action="store_true", help="keep no access records (the reference to compare with)"
    )
    args = parser.parse_args()
    os.environ.setdefault("GROUNDSTATION_HOME", tempfile.gettempdir())
    _report(args, asyncio.run(_server_main(args)))


if __name__ == "__main__":
    main()
