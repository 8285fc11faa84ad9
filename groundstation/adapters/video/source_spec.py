"""What a stream URL asks of the decode pipeline, parsed once so that ``check`` and the worker agree.

The services validate the scheme (``domain.video_sources``); this layer is stricter: it refuses options it
cannot honour (a misspelt ``loop``, an unknown RTSP transport) so that the operator sees the mistake when the
stream is saved, not as an error tile later. Our own options (timeouts, ``transport``, ``loop``) are taken out
of the URL; any other query parameters of a network URL belong to the camera or server and are passed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from groundstation.domain.errors import InvalidError
from groundstation.domain.video_sources import validate_video_url

DEFAULT_OPEN_TIMEOUT_MS = 5000
# Under 2 s: a worker blocked in a read when asked to stop ends within the 2 s a stop may take (a read
# cannot be interrupted). A live source that goes quiet is "stalled" after 1 s and reconnected after this.
DEFAULT_READ_TIMEOUT_MS = 1800
_FIELD = "url"
_TIMEOUT_KEYS = ("open_timeout_ms", "read_timeout_ms")


class _Timeouts(TypedDict, total=False):
    open_timeout_ms: int
    read_timeout_ms: int


class SourceKind(StrEnum):
    RTSP = "rtsp"
    RTP = "rtp"
    UDP = "udp"
    HTTP = "http"
    FILE = "file"
    DEVICE = "device"
    SYNTHETIC = "synthetic"


@dataclass(frozen=True, slots=True)
class SyntheticOptions:
    width: int = 1280
    height: int = 720
    fps: int = 30
    pattern: str = "ball"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A parsed source. ``target`` is what OpenCV opens (a URL, a path or a device number as text)."""

    url: str
    kind: SourceKind
    target: str
    host: str | None = None
    port: int | None = None
    open_timeout_ms: int = DEFAULT_OPEN_TIMEOUT_MS
    read_timeout_ms: int = DEFAULT_READ_TIMEOUT_MS
    rtsp_transport: str = "tcp"
    loop: bool = False
    synthetic: SyntheticOptions = field(default_factory=SyntheticOptions)

    @property
    def is_live(self) -> bool:
        """Live sources are reconnected when they fail; a file or a synthetic feed is not a link that drops."""
        return self.kind not in (SourceKind.FILE, SourceKind.SYNTHETIC)

    @property
    def display(self) -> str:
        """The URL without credentials, for messages and logs."""
        parts = urlsplit(self.url)
        if parts.password is None and parts.username is None:
            return self.url
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def parse_source(url: str) -> SourceSpec:
    """Parse and check ``url``; raises InvalidError(field="url") for anything this pipeline cannot honour."""
    url = validate_video_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in options if k in _TIMEOUT_KEYS}
    timeouts = _Timeouts()
    if "open_timeout_ms" in ours:
        timeouts["open_timeout_ms"] = _positive_ms("open_timeout_ms", ours["open_timeout_ms"], url)
    if "read_timeout_ms" in ours:
        timeouts["read_timeout_ms"] = _positive_ms("read_timeout_ms", ours["read_timeout_ms"], url)
    rest = [(k, v) for k, v in options if k not in _TIMEOUT_KEYS]

    if scheme in ("rtsp", "rtsps"):
        transport = "tcp"
        passed = []
        for key, value in rest:
            if key == "transport":
                if value not in ("tcp", "udp"):
                    raise InvalidError(f"RTSP transport must be tcp or udp, got {value!r} in {url!r}", field=_FIELD)
                transport = value
            else:
                passed.append((key, value))
        default_port = 322 if scheme == "rtsps" else 554
        return SourceSpec(
            url, SourceKind.RTSP, _rebuild(parts, passed), parts.hostname, parts.port or default_port,
            rtsp_transport=transport, **timeouts,
        )  # fmt: skip
    if scheme == "rtp":
        _refuse_unknown(rest, (), url)
        return SourceSpec(url, SourceKind.RTP, "", parts.hostname, parts.port, **timeouts)
    if scheme == "udp":
        return SourceSpec(url, SourceKind.UDP, _rebuild(parts, rest), parts.hostname, parts.port, **timeouts)
    if scheme in ("http", "https"):
        default_port = 443 if scheme == "https" else 80
        return SourceSpec(
            url, SourceKind.HTTP, _rebuild(parts, rest), parts.hostname, parts.port or default_port, **timeouts
        )
    if scheme == "file":
        _refuse_unknown(rest, ("loop",), url)
        loop = dict(rest).get("loop", "0")
        if loop not in ("0", "1"):
            raise InvalidError(f"file option loop must be 0 or 1, got {loop!r} in {url!r}", field=_FIELD)
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost"):
            raise InvalidError(f"a file URL names a local path, as file:///videos/clip.mp4; got {url!r}", field=_FIELD)
        return SourceSpec(url, SourceKind.FILE, path, loop=loop == "1", **timeouts)
    if scheme == "device":
        _refuse_unknown(rest, (), url)
        return SourceSpec(url, SourceKind.DEVICE, (parts.netloc or parts.path.lstrip("/")), **timeouts)
    if scheme == "synthetic":
        _refuse_unknown(rest, ("w", "h", "fps", "pattern"), url)
        given = dict(rest)
        synthetic = SyntheticOptions(
            width=int(given.get("w", 1280)),
            height=int(given.get("h", 720)),
            fps=int(given.get("fps", 30)),
            pattern=given.get("pattern", "ball"),
        )
        return SourceSpec(url, SourceKind.SYNTHETIC, "", synthetic=synthetic, **timeouts)
    raise InvalidError(
        f"{scheme}:// video is not decoded by the OpenCV pipeline; use rtsp, rtp, udp, http(s), file, device "
        "or synthetic",
        field=_FIELD,
    )


def _positive_ms(key: str, value: str, url: str) -> int:
    if not value.isdigit() or not 100 <= int(value) <= 120_000:
        raise InvalidError(f"{key} must be milliseconds from 100 to 120000, got {value!r} in {url!r}", field=_FIELD)
    return int(value)


def _refuse_unknown(options: list[tuple[str, str]], allowed: tuple[str, ...], url: str) -> None:
    unknown = sorted({k for k, _ in options if k not in allowed})
    if unknown:
        known = ", ".join((*allowed, *_TIMEOUT_KEYS))
        raise InvalidError(f"unknown option {', '.join(unknown)} in {url!r}; this source takes {known}", field=_FIELD)


def _rebuild(parts: SplitResult, query: list[tuple[str, str]]) -> str:
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
