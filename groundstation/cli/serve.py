"""``groundstation serve``: the headless runtime."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from groundstation.cli.common import positive_float, profile_name, runtime
from groundstation.domain.errors import InvalidError
from groundstation.domain.profiles import DEMO_PROFILE


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run sessions headless (no window)")
    serve.add_argument("--profile", type=profile_name, action=_AppendOnce, required=True, dest="profiles")
    serve.add_argument("--demo", action="store_true", help="start the demo fleet of FAKE vehicles")
    serve.add_argument("--scenario", type=Path, help="a scenario file (TOML) scripting a FAKE fleet")
    serve.add_argument("--connect", action="append", default=[], metavar="URL", help="start a session for URL")
    serve.add_argument("--duration", type=positive_float, metavar="S", help="stop after S seconds")
    serve.add_argument(
        "--no-video", action="store_true", help="do not decode the profiles' video streams (sessions only)"
    )
    api = serve.add_argument_group("HTTP API", "the embedded API (off unless --api); tokens: groundstation tokens")
    api.add_argument("--api", action="store_true", help="serve the HTTP API for every --profile")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    api.add_argument("--port", type=_port, default=8750, help="port (default 8750; 0 picks a free one)")
    api.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    api.add_argument("--tls-key", type=Path, metavar="FILE", help="the certificate's private key (PEM)")
    api.add_argument(
        "--allow-remote", action="store_true", help="allow --host to be other than loopback (logged as a warning)"
    )
    api.add_argument(
        "--api-allow-local-files",
        action="store_true",
        help="let API clients name files and devices of this computer (scenario paths, tlog://, file://, "
        "device://); refused over the API otherwise",
    )
    serve.set_defaults(handler=_serve)


class _AppendOnce(argparse.Action):
    """``append`` that refuses the same profile twice (exit 2): one runtime opens a profile once."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: Any, _: Any = None
    ) -> None:
        seen = list(getattr(namespace, self.dest, None) or [])
        if value in seen:
            parser.error(f"--profile {value} is given twice")
        setattr(namespace, self.dest, [*seen, value])


def _check_readable(flag: str, path: Path | None) -> None:
    """A TLS file that is missing or unreadable, named (the TLS layer's own error names no file)."""
    if path is None:
        return
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InvalidError(f"{flag} {path}: {exc.strerror or exc}", field=flag.lstrip("-")) from None
    if path.is_dir():
        raise InvalidError(f"{flag} {path}: is a directory, not a PEM file", field=flag.lstrip("-"))


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return int(text)


async def _serve(args: argparse.Namespace) -> int:
    from groundstation.bootstrap import ensure_demo_profile
    from groundstation.headless import ApiOptions, ServeOptions, serve

    api_flags = ("host", "port", "tls_cert", "tls_key", "allow_remote", "api_allow_local_files")
    if not args.api and any(getattr(args, f) not in (None, False, 8750, "127.0.0.1") for f in api_flags):
        raise InvalidError(
            "--host, --port, --tls-cert, --tls-key, --allow-remote and --api-allow-local-files need --api",
            field="api",
        )
    api = None
    if args.api:
        _check_readable("--tls-cert", args.tls_cert)
        _check_readable("--tls-key", args.tls_key)
        api = ApiOptions(
            host=args.host,
            port=args.port,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            allow_remote=args.allow_remote,
            allow_local_files=args.api_allow_local_files,
        )
        # Checked before any profile opens, so a refused address leaves nothing half started.
        from groundstation.api.server import check_listen_options

        check_listen_options(
            api.host, api.port, tls_cert=api.tls_cert, tls_key=api.tls_key, allow_remote=api.allow_remote
        )

    rt = runtime(video=not args.no_video)
    if DEMO_PROFILE in args.profiles:
        await ensure_demo_profile(rt)
    options = ServeOptions(
        profiles=list(dict.fromkeys(args.profiles)),
        demo=args.demo,
        scenario=args.scenario,
        connect=args.connect,
        duration_s=args.duration,
        api=api,
    )
    return await serve(options, rt)
