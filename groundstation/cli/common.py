"""What every command module shares: argument types, JSON output, opening a profile to read it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from groundstation.domain.errors import InvalidError
from groundstation.domain.profiles import validate_profile_name

if TYPE_CHECKING:
    from groundstation.bootstrap import ProfileServices, Runtime

EXIT_FAILURE = 1
EXIT_USAGE = 2
# Output cut short by a closed pipe (`groundstation audit list ... | head`): what a shell reports for a
# process that SIGPIPE ended (128 + 13), so `set -o pipefail` scripts see the same as with other tools.
EXIT_BROKEN_PIPE = 141


class UsageError(Exception):
    """Arguments that parse one by one but not together (``--since`` after ``--until``): exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Parser(argparse.ArgumentParser):
    """argparse that says what is wrong in one line (and exits 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def runtime(*, video: bool = False) -> Runtime:
    """The process's Runtime; with ``video`` its profiles decode their enabled streams (OpenCV workers)."""
    # Imported here so that `groundstation --help` stays quick and import errors show as one line.
    from groundstation.bootstrap import Runtime

    if not video:
        return Runtime()
    from groundstation.adapters.video import OpenCvVideoSourceFactory

    return Runtime(video_factory=OpenCvVideoSourceFactory())


async def read_profile(profile: str, query: Callable[[ProfileServices], Awaitable[Any]]) -> Any:
    """Open ``profile`` for reading (works beside a running runtime), run ``query``, close."""
    services = await runtime().open_reader(profile)
    try:
        return await query(services)
    finally:
        await services.close()


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2)
    sys.stdout.write("\n")


def profile_name(text: str) -> str:
    try:
        return validate_profile_name(text)
    except InvalidError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {text}")
    return value


def iso_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (like 2026-11-25T12:00:00Z)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
