"""``groundstation sessions list``, ``audit list``, ``telemetry export``: reading a profile's records.

All of them open the profile read-only, so they work while a runtime holds it (and on a profile whose
directory is read-only). ``audit list`` shows the newest entries first, so ``--limit`` keeps the latest;
``--oldest-first`` turns it round.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from groundstation.cli.common import (
    Parser,
    UsageError,
    iso,
    iso_time,
    positive_int,
    print_json,
    profile_name,
    read_profile,
)
from groundstation.domain.models import AuditEntry, DeviceSession
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TELEMETRY_FIELDS


def register(sub: Any) -> None:
    sessions = sub.add_parser("sessions", help="device sessions of a profile")
    ssub = sessions.add_subparsers(dest="action", required=True, parser_class=Parser)
    slist = ssub.add_parser("list", help="list sessions")
    slist.add_argument("--profile", type=profile_name, required=True)
    slist.add_argument("--json", action="store_true")
    slist.set_defaults(handler=_sessions_list)

    audit = sub.add_parser("audit", help="the audit log of a profile")
    asub = audit.add_subparsers(dest="action", required=True, parser_class=Parser)
    alist = asub.add_parser("list", help="list audit entries, newest first")
    alist.add_argument("--profile", type=profile_name, required=True)
    alist.add_argument("--json", action="store_true")
    alist.add_argument("--since", type=iso_time, metavar="ISO")
    alist.add_argument("--limit", type=positive_int, metavar="N", help="at most N entries (the newest N)")
    alist.add_argument("--oldest-first", action="store_true", help="oldest first instead (with --limit: the oldest N)")
    alist.set_defaults(handler=_audit_list)

    telemetry = sub.add_parser("telemetry", help="stored telemetry of a session")
    tsub = telemetry.add_subparsers(dest="action", required=True, parser_class=Parser)
    export = tsub.add_parser("export", help="export a session's stored telemetry")
    export.add_argument("--profile", type=profile_name, required=True)
    export.add_argument("--session", required=True, metavar="ID")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--since", type=iso_time, metavar="ISO")
    export.add_argument("--until", type=iso_time, metavar="ISO")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    export.set_defaults(handler=_telemetry_export)


async def _sessions_list(args: argparse.Namespace) -> int:
    sessions = await read_profile(args.profile, lambda services: services.sessions.list())
    if args.json:
        print_json([session_json(s) for s in sessions])
        return 0
    for s in sessions:
        error = f"\t{s.last_error}" if s.last_error else ""
        print(f"{s.id}\t{s.name}\t{s.adapter.value}\t{s.state.value}\t{s.connection.url}{error}")
    return 0


async def _audit_list(args: argparse.Namespace) -> int:
    entries = await read_profile(
        args.profile, lambda services: services.store.run(lambda uow: _audit_entries(uow, args))
    )
    if args.json:
        print_json(
            [
                {
                    "id": e.id,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "target_id": e.target_id,
                    "outcome": e.outcome.value,
                    "detail": e.detail,
                }
                for e in entries
            ]
        )
        return 0
    for e in entries:
        fields = (e.at.isoformat(), e.actor, e.action, e.target_id or "-", e.outcome.value, json.dumps(e.detail))
        print("\t".join(fields))
    return 0


def _audit_entries(uow: UnitOfWork, args: argparse.Namespace) -> list[AuditEntry]:
    """Newest first unless asked otherwise: the newest N read from the index, not the whole table."""
    return uow.audit.list(since=args.since, limit=args.limit, newest_first=not args.oldest_first)


async def _telemetry_export(args: argparse.Namespace) -> int:
    if args.since is not None and args.until is not None and args.since >= args.until:
        raise UsageError(f"--since ({args.since.isoformat()}) must be earlier than --until ({args.until.isoformat()})")

    async def fetch(services: Any) -> list[Any]:
        await services.sessions.get(args.session)  # a clear not-found for an unknown or foreign id
        return list(await services.hub.history(args.session, since=args.since, until=args.until))

    samples = await read_profile(args.profile, fetch)
    out: TextIO = args.out.open("w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        rows = [s.to_dict() for s in samples]
        if args.format == "json":
            json.dump(rows, out, indent=2)
            out.write("\n")
        else:
            writer = csv.DictWriter(out, fieldnames=list(TELEMETRY_FIELDS))
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {len(samples)} samples to {args.out}", file=sys.stderr)
    return 0


def session_json(s: DeviceSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "adapter": s.adapter.value,
        "state": s.state.value,
        "url": s.connection.url,
        "created_at": iso(s.created_at),
        "started_at": iso(s.started_at),
        "stopped_at": iso(s.stopped_at),
        "last_error": s.last_error,
        "identity": {
            "system_id": s.identity.system_id,
            "autopilot": s.identity.autopilot,
            "vehicle_type": s.identity.vehicle_type,
            "firmware": s.identity.firmware,
        },
    }
