"""``groundstation tokens create|list|revoke``: API tokens of a profile.

``create`` prints the token once, on stdout alone (so ``TOKEN=$(groundstation tokens create ...)`` works);
only its hash is stored. These commands work whether or not a runtime (``serve --api``, the GUI) holds the
profile: when none does they open it exclusively as usual; when one does they write through a second,
short-lived connection beside it (SQLite in WAL mode with a busy timeout lets two processes write in turn),
and the running server sees the change at the next request because it reads tokens on every request.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from groundstation.cli.common import Parser, iso, print_json, profile_name, read_profile, runtime
from groundstation.domain.models import ApiToken, Role

if TYPE_CHECKING:
    from groundstation.bootstrap import ProfileServices


def register(sub: Any) -> None:
    tokens = sub.add_parser("tokens", help="API tokens of a profile (create, list, revoke)")
    actions = tokens.add_subparsers(dest="action", required=True, parser_class=Parser)

    create = actions.add_parser("create", help="issue a token; it is printed once and never again")
    create.add_argument("--profile", type=profile_name, required=True)
    create.add_argument("--name", required=True, help="a label naming who uses it (the audit shows api:<name>)")
    create.add_argument("--role", choices=[r.value for r in Role], required=True)
    create.set_defaults(handler=_create)

    listing = actions.add_parser("list", help="the profile's tokens (never their secrets)")
    listing.add_argument("--profile", type=profile_name, required=True)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list)

    revoke = actions.add_parser("revoke", help="revoke a token by name or id, for good")
    revoke.add_argument("--profile", type=profile_name, required=True)
    revoke.add_argument("--name", required=True, metavar="NAME_OR_ID")
    revoke.set_defaults(handler=_revoke)


async def _open_for_writing(profile: str) -> ProfileServices:
    """The profile alone if free; beside the runtime that holds it otherwise (see the module docstring)."""
    return await runtime().open_admin(profile)


def _row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role.value,
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


async def _create(args: argparse.Namespace) -> int:
    services = await _open_for_writing(args.profile)
    try:
        issued = await services.tokens.create(args.name, args.role)
    finally:
        await services.close()
    print(issued.secret)
    print(
        f"token '{issued.token.name}' ({issued.token.role.value}) for profile '{args.profile}'; "
        "it is shown this once: store it now",
        file=sys.stderr,
    )
    return 0


async def _list(args: argparse.Namespace) -> int:
    tokens: list[ApiToken] = await read_profile(args.profile, lambda s: s.tokens.list())
    rows = [_row(t) for t in tokens]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"no tokens in profile '{args.profile}'")
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else f"last used {r['last_used_at'] or 'never'}"
        print(f"{r['name']:<24} {r['role']:<9} {r['id']}  created {r['created_at']}  {state}")
    return 0


async def _revoke(args: argparse.Namespace) -> int:
    services = await _open_for_writing(args.profile)
    try:
        token = await services.tokens.revoke(args.name)
    finally:
        await services.close()
    print(f"token '{token.name}' revoked at {iso(token.revoked_at)}", file=sys.stderr)
    return 0
