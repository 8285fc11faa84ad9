"""``groundstation records prune``: delete a profile's history past its retention settings, now.

The runtime does the same every hour (``services/retention.py``); this is for a profile no runtime holds, or
to free space at once after lowering a ``retention.*_days`` setting. ``--dry-run`` opens the profile
read-only and counts. A real run opens it like the other administrative writers (``tokens``): alone when no
runtime holds it, else beside that runtime, whose writes then wait at most one chunk (5,000 rows) at a time.
The prune is audited (``retention.prune``, actor ``operator``).
"""

from __future__ import annotations

import argparse
from typing import Any

from groundstation.cli.common import Parser, profile_name, runtime
from groundstation.domain import actors
from groundstation.services.retention import PruneReport, RetentionService


def register(sub: Any) -> None:
    records = sub.add_parser("records", help="stored history of a profile (prune)")
    actions = records.add_subparsers(dest="action", required=True, parser_class=Parser)
    prune = actions.add_parser(
        "prune", help="delete telemetry, events, QoS snapshots and API access records older than the settings keep"
    )
    prune.add_argument("--profile", type=profile_name, required=True)
    prune.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
    prune.set_defaults(handler=_prune)


async def _prune(args: argparse.Namespace) -> int:
    rt = runtime()
    services = await (rt.open_reader(args.profile) if args.dry_run else rt.open_admin(args.profile))
    try:
        retention = RetentionService(
            store=services.store, audit=services.audit, settings=services.settings, clock=rt.clock
        )
        report = await retention.prune(dry_run=args.dry_run, actor=actors.OPERATOR)
    finally:
        await services.close()
    print(describe(report, args.profile))
    return 0


def describe(report: PruneReport, profile: str) -> str:
    verb = "would delete" if report.dry_run else "deleted"
    lines = []
    for table in report.tables:
        if table.cutoff is None:
            lines.append(f"{table.name:<22} kept forever (0 days)")
        else:
            when = f"older than {table.cutoff.isoformat(timespec='seconds')} ({table.days} days)"
            lines.append(f"{table.name:<22} {verb} {table.rows:>10}  {when}")
    total = f"profile '{profile}': {verb} {report.rows} rows"
    if not report.dry_run:
        total += f" in {report.chunks} transactions (longest {report.longest_chunk_s * 1000:.0f} ms)"
    lines.append(total + "; the audit trail of writes and recordings are never pruned")
    return "\n".join(lines)
