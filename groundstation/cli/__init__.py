"""The command line: parse arguments, hand them to a command module, print one clear line on failure.

Each command group is a module of this package with ``register(subparsers)`` that sets ``handler`` on its
parsers; a new group is a new module, found by ``_groups`` (no central list to edit). Failures exit 2 for a
usage error and 1 for anything that failed, with a traceback only under ``--debug``. Output cut short by a
reader that went away (``| head``) ends quietly with 141, as a process that SIGPIPE ended.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType

from groundstation import __version__
from groundstation.cli.common import EXIT_BROKEN_PIPE, EXIT_FAILURE, EXIT_USAGE, Parser, UsageError
from groundstation.cli.gui import default_arguments
from groundstation.domain.errors import GroundstationError


def _groups() -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            yield module


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="groundstation", description="A ground station for drone fleets.")
    parser.add_argument("--version", action="version", version=f"groundstation {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for group in _groups():
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(arguments)
    if args.command is None:
        # No command: the desktop window, with whatever global options were given.
        args = parser.parse_args([*arguments, *default_arguments()])
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    if not args.debug:
        # Libraries' own progress lines (Alembic's plugin set-up, uvicorn's per-request access log) would
        # bury the state changes an operator follows; they stay available under --debug.
        for noisy in ("alembic", "uvicorn.access"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"'{args.command}' needs a subcommand")
    try:
        # A command may bring its own loop (the window runs on Qt's); the others get a plain asyncio loop.
        with asyncio.Runner(loop_factory=getattr(args, "loop_factory", None)) as runner:
            code: int = runner.run(handler(args))
        sys.stdout.flush()  # a closed pipe shows here, not as a complaint at interpreter exit
        return code
    except GroundstationError as exc:
        return _fail(exc.message, args.debug, exc)
    except UsageError as exc:
        print(f"groundstation: error: {exc.message} (see --help)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", args.debug, exc)
    except Exception as exc:
        return _fail(f"unexpected error: {exc!r} (run with --debug for details)", args.debug, exc)


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's final flush of what is still buffered
    does not fail a second time (the recipe in Python's documentation of SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _fail(message: str, debug: bool, exc: BaseException | None = None) -> int:
    if debug and exc is not None:
        logging.getLogger("groundstation").error("failed", exc_info=exc)
    print(f"groundstation: error: {message}", file=sys.stderr)
    return EXIT_FAILURE
