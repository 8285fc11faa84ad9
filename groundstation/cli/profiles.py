"""``groundstation profiles create|list|delete``: tenants as directories."""

from __future__ import annotations

import argparse
from typing import Any

from groundstation.cli.common import Parser, print_json, profile_name, runtime
from groundstation.domain.errors import InvalidError


def register(sub: Any) -> None:
    profiles = sub.add_parser("profiles", help="create, list and delete profiles (one per tenant)")
    psub = profiles.add_subparsers(dest="action", required=True, parser_class=Parser)
    listing = psub.add_parser("list", help="list profiles")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    create = psub.add_parser("create", help="create a profile")
    create.add_argument("name", type=profile_name)
    create.set_defaults(handler=_create)
    delete = psub.add_parser("delete", help="delete a profile and all its data")
    delete.add_argument("name", type=profile_name)
    delete.add_argument("--yes", action="store_true", help="confirm: the profile's data is deleted for good")
    delete.set_defaults(handler=_delete)


async def _list(args: argparse.Namespace) -> int:
    profiles = runtime().catalog.list()
    if args.json:
        print_json([{"name": p.name, "path": p.path} for p in profiles])
    else:
        for profile in profiles:
            print(f"{profile.name}\t{profile.path}")
    return 0


async def _create(args: argparse.Namespace) -> int:
    profile = runtime().catalog.create(args.name)
    print(f"created profile '{profile.name}' at {profile.path}")
    return 0


async def _delete(args: argparse.Namespace) -> int:
    if not args.yes:
        raise InvalidError(f"deleting profile '{args.name}' removes all its data; add --yes to confirm")
    runtime().catalog.delete(args.name)
    print(f"deleted profile '{args.name}'")
    return 0
