"""The command line: parse arguments, call bootstrap and the services, print results.

Failures are one clear line on stderr: exit 2 for a usage error, 1 for anything that failed; a traceback
only with ``--debug``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TextIO

from groundstation import __version__
from groundstation.domain.errors import GroundstationError, InvalidError
from groundstation.domain.profiles import DEMO_PROFILE, validate_profile_name
from groundstation.domain.telemetry import TELEMETRY_FIELDS

EXIT_FAILURE = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that says what is wrong in one line (and exits 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="groundstation", description="A ground station for drone fleets.")
    parser.add_argument("--version", action="version", version=f"groundstation {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    gui = sub.add_parser("gui", help="start the desktop application (the default)")
    gui.add_argument("--profile", type=_profile_name)

    profiles = sub.add_parser("profiles", help="create, list and delete profiles (one per tenant)")
    psub = profiles.add_subparsers(dest="action", required=True, parser_class=_Parser)
    psub.add_parser("list", help="list profiles").add_argument("--json", action="store_true")
    psub.add_parser("create", help="create a profile").add_argument("name", type=_profile_name)
    delete = psub.add_parser("delete", help="delete a profile and all its data")
    delete.add_argument("name", type=_profile_name)
    delete.add_argument("--yes", action="store_true", help="confirm: the profile's data is deleted for good")

    serve = sub.add_parser("serve", help="run sessions headless (no window)")
    serve.add_argument("--profile", type=_profile_name, action="append", required=True, dest="profiles")
    serve.add_argument("--demo", action="store_true", help="start the demo fleet of FAKE vehicles")
    serve.add_argument("--scenario", type=Path, help="a scenario file (TOML) scripting a FAKE fleet")
    serve.add_argument("--connect", action="append", default=[], metavar="URL", help="start a session for URL")
    serve.add_argument("--duration", type=_positive_float, metavar="S", help="stop after S seconds")

    sessions = sub.add_parser("sessions", help="device sessions of a profile")
    ssub = sessions.add_subparsers(dest="action", required=True, parser_class=_Parser)
    slist = ssub.add_parser("list", help="list sessions")
    slist.add_argument("--profile", type=_profile_name, required=True)
    slist.add_argument("--json", action="store_true")

    audit = sub.add_parser("audit", help="the audit log of a profile")
    asub = audit.add_subparsers(dest="action", required=True, parser_class=_Parser)
    alist = asub.add_parser("list", help="list audit entries, oldest first")
    alist.add_argument("--profile", type=_profile_name, required=True)
    alist.add_argument("--json", action="store_true")
    alist.add_argument("--since", type=_iso_time, metavar="ISO")
    alist.add_argument("--limit", type=int)

    telemetry = sub.add_parser("telemetry", help="stored telemetry of a session")
    tsub = telemetry.add_subparsers(dest="action", required=True, parser_class=_Parser)
    export = tsub.add_parser("export", help="export a session's stored telemetry")
    export.add_argument("--profile", type=_profile_name, required=True)
    export.add_argument("--session", required=True, metavar="ID")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--since", type=_iso_time, metavar="ISO")
    export.add_argument("--until", type=_iso_time, metavar="ISO")
    export.add_argument("--out", type=Path, help="write to this file instead of standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if args.command in (None, "gui"):
        return _fail(
            "the desktop window is not part of this build yet; "
            "run the headless runtime instead: groundstation serve --profile demo --demo",
            args.debug,
        )
    handler = _HANDLERS[(args.command, getattr(args, "action", None))]
    try:
        return asyncio.run(handler(args))
    except GroundstationError as exc:
        return _fail(exc.message, args.debug, exc)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", args.debug, exc)
    except Exception as exc:
        return _fail(f"unexpected error: {exc!r} (run with --debug for details)", args.debug, exc)


# ------------------------------------------------------------------------------------------------ handlers
def _runtime() -> Any:
    # Imported here so that `groundstation --help` stays quick and import errors show as one line.
    from groundstation.bootstrap import Runtime

    return Runtime()


async def _profiles_list(args: argparse.Namespace) -> int:
    runtime = _runtime()
    profiles = runtime.catalog.list()
    if args.json:
        _print_json([{"name": p.name, "path": p.path} for p in profiles])
    else:
        for profile in profiles:
            print(f"{profile.name}\t{profile.path}")
    return 0


async def _profiles_create(args: argparse.Namespace) -> int:
    profile = _runtime().catalog.create(args.name)
    print(f"created profile '{profile.name}' at {profile.path}")
    return 0


async def _profiles_delete(args: argparse.Namespace) -> int:
    if not args.yes:
        raise InvalidError(f"deleting profile '{args.name}' removes all its data; add --yes to confirm")
    _runtime().catalog.delete(args.name)
    print(f"deleted profile '{args.name}'")
    return 0


async def _serve(args: argparse.Namespace) -> int:
    from groundstation.bootstrap import ensure_demo_profile
    from groundstation.headless import ServeOptions, serve

    runtime = _runtime()
    if DEMO_PROFILE in args.profiles:
        await ensure_demo_profile(runtime)
    options = ServeOptions(
        profiles=list(dict.fromkeys(args.profiles)),
        demo=args.demo,
        scenario=args.scenario,
        connect=args.connect,
        duration_s=args.duration,
    )
    return await serve(options, runtime)


async def _sessions_list(args: argparse.Namespace) -> int:
    sessions = await _read(args.profile, lambda services: services.sessions.list())
    if args.json:
        _print_json([_session_json(s) for s in sessions])
        return 0
    for s in sessions:
        error = f"\t{s.last_error}" if s.last_error else ""
        print(f"{s.id}\t{s.name}\t{s.adapter.value}\t{s.state.value}\t{s.connection.url}{error}")
    return 0


async def _audit_list(args: argparse.Namespace) -> int:
    entries = await _read(args.profile, lambda services: services.audit.list(since=args.since, limit=args.limit))
    if args.json:
        _print_json(
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


async def _telemetry_export(args: argparse.Namespace) -> int:
    async def fetch(services: Any) -> list[Any]:
        await services.sessions.get(args.session)  # a clear not-found for an unknown or foreign id
        return list(await services.hub.history(args.session, since=args.since, until=args.until))

    samples = await _read(args.profile, fetch)
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


_HANDLERS: dict[tuple[str, str | None], Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    ("profiles", "list"): _profiles_list,
    ("profiles", "create"): _profiles_create,
    ("profiles", "delete"): _profiles_delete,
    ("serve", None): _serve,
    ("sessions", "list"): _sessions_list,
    ("audit", "list"): _audit_list,
    ("telemetry", "export"): _telemetry_export,
}


# ------------------------------------------------------------------------------------------------ helpers
async def _read(profile: str, query: Callable[[Any], Awaitable[Any]]) -> Any:
    """Open ``profile`` for reading (works beside a running runtime), run ``query``, close."""
    runtime = _runtime()
    services = await runtime.open_reader(profile)
    try:
        return await query(services)
    finally:
        await services.close()


def _session_json(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "adapter": s.adapter.value,
        "state": s.state.value,
        "url": s.connection.url,
        "created_at": _iso(s.created_at),
        "started_at": _iso(s.started_at),
        "stopped_at": _iso(s.stopped_at),
        "last_error": s.last_error,
        "identity": {
            "system_id": s.identity.system_id,
            "autopilot": s.identity.autopilot,
            "vehicle_type": s.identity.vehicle_type,
            "firmware": s.identity.firmware,
        },
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _fail(message: str, debug: bool, exc: BaseException | None = None) -> int:
    if debug and exc is not None:
        logging.getLogger("groundstation").exception("failed")
    print(f"groundstation: error: {message}", file=sys.stderr)
    return EXIT_FAILURE


def _profile_name(text: str) -> str:
    try:
        return validate_profile_name(text)
    except InvalidError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _iso_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (like 2026-11-25T12:00:00Z)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
