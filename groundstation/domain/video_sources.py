"""Video source URLs: which schemes a stream may use, checked before a stream is stored.

The decode pipeline (a later part) reads these; checking them here means a typo is refused when the
operator types it, not discovered as an error tile during a flight.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from groundstation.domain.connections import is_decimal
from groundstation.domain.errors import InvalidError

VIDEO_SCHEMES = frozenset({"rtsp", "rtsps", "rtp", "udp", "http", "https", "file", "device", "synthetic", "dji"})
SYNTHETIC_PATTERNS = frozenset({"bars", "gradient", "noise", "checker", "ball"})
_FIELD = "url"


def validate_video_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise InvalidError("stream URL is empty", field=_FIELD)
    url = url.strip()
    if "://" not in url:
        raise InvalidError(f"stream URL {url!r} has no scheme (like rtsp://, udp://, synthetic://)", field=_FIELD)
    scheme = url.split("://", 1)[0].lower()
    if scheme not in VIDEO_SCHEMES:
        raise InvalidError(
            f"unsupported stream scheme {scheme!r}; use one of {', '.join(sorted(VIDEO_SCHEMES))}", field=_FIELD
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket, a bad netloc
        raise InvalidError(f"malformed stream URL {url!r}: {exc}", field=_FIELD) from exc
    if scheme in ("rtsp", "rtsps", "rtp", "udp", "http", "https") and not parts.hostname:
        raise InvalidError(f"stream URL {url!r} needs a host", field=_FIELD)
    if scheme in ("rtp", "udp"):
        try:
            port = parts.port
        except ValueError as exc:
            raise InvalidError(f"bad port in {url!r}: {exc}", field=_FIELD) from exc
        if port is None:
            raise InvalidError(f"stream URL {url!r} needs a port, as {scheme}://0.0.0.0:5600", field=_FIELD)
    if scheme == "device" and not is_decimal(parts.netloc or parts.path.lstrip("/")):
        raise InvalidError(f"a camera URL names a device number, as device://0; got {url!r}", field=_FIELD)
    if scheme == "file" and not parts.path:
        raise InvalidError(f"a file URL names a path, as file:///videos/clip.mp4; got {url!r}", field=_FIELD)
    if scheme == "synthetic":
        _check_synthetic(dict(parse_qsl(parts.query)), url)
    return url


def _check_synthetic(options: dict[str, str], url: str) -> None:
    limits = {"w": (16, 7680), "h": (16, 4320), "fps": (1, 240)}
    for key, (low, high) in limits.items():
        if key in options and not (is_decimal(options[key]) and low <= int(options[key]) <= high):
            raise InvalidError(f"synthetic {key} must be an integer from {low} to {high} in {url!r}", field=_FIELD)
    pattern = options.get("pattern")
    if pattern is not None and pattern not in SYNTHETIC_PATTERNS:
        raise InvalidError(
            f"unknown synthetic pattern {pattern!r}; use one of {', '.join(sorted(SYNTHETIC_PATTERNS))}", field=_FIELD
        )
