"""Connection URLs: which adapter takes which scheme, and the keys the conflict rules compare.

Parsing lives in the domain, not in each adapter, because the services must apply the conflict rules (one
live session per device per profile, one per endpoint per process) before any adapter opens anything, and
for every adapter kind, including those whose adapter is not built into this release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlsplit

from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind, ConnectionSpec

SCHEMES_BY_ADAPTER: dict[AdapterKind, frozenset[str]] = {
    AdapterKind.FAKE: frozenset({"fake"}),
    AdapterKind.MAVLINK: frozenset({"udpin", "udpout", "tcp", "serial", "tlog"}),
    AdapterKind.DJI: frozenset({"dji"}),
}

_FIELD = "connection.url"

DEFAULT_BAUD = 57600
"""What a serial URL without ``baud`` uses: the rate SiK telemetry radios (3DR, Holybro, RFD900) ship at."""

# Windows names its serial ports COM1, COM2...; case does not matter to Windows, so it does not matter here.
_COM_PORT = re.compile(r"/?(com[1-9][0-9]{0,2})", re.IGNORECASE)


def adapter_for_url(url: str) -> AdapterKind:
    """The adapter that speaks ``url``'s scheme (lets callers omit the adapter when the URL says it)."""
    scheme = _scheme(url)
    for kind, schemes in SCHEMES_BY_ADAPTER.items():
        if scheme in schemes:
            return kind
    raise InvalidError(f"unknown connection scheme {scheme!r} in {url!r}", field=_FIELD)


def parse_connection(adapter: AdapterKind, url: str) -> ConnectionSpec:
    """Parse ``url`` for ``adapter``; raise InvalidError naming what is wrong with it."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidError("connection URL is empty", field=_FIELD)
    url = url.strip()
    scheme = _scheme(url)
    allowed = SCHEMES_BY_ADAPTER[adapter]
    if scheme not in allowed:
        raise InvalidError(
            f"{adapter.value} sessions take {', '.join(sorted(s + '://' for s in allowed))} URLs, not {scheme}://",
            field=_FIELD,
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket, a bad netloc
        raise InvalidError(f"malformed URL {url!r}: {exc}", field=_FIELD) from exc
    try:
        options = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)))
    except ValueError as exc:
        raise InvalidError(f"malformed query in {url!r}: {exc}", field=_FIELD) from exc
    sysid = options.get("sysid")
    if sysid is not None and not (is_decimal(sysid) and 1 <= int(sysid) <= 255):
        raise InvalidError(f"sysid must be an integer from 1 to 255, got {sysid!r}", field=_FIELD)
    suffix = f"#sysid={sysid}" if sysid else ""

    if scheme == "fake":
        name = unquote(parts.netloc or parts.path.lstrip("/"))
        if not name or "/" in name:
            raise InvalidError(f"a FAKE URL names one vehicle, as fake://NAME; got {url!r}", field=_FIELD)
        return ConnectionSpec(url, scheme, device_key=f"fake:{name}", options=options)
    if scheme in ("udpin", "udpout", "tcp"):
        host, port = _host_port(parts, url)
        if scheme == "udpin":
            return ConnectionSpec(url, scheme, f"udpin:{port}{suffix}", endpoint_key=f"udp:{port}", options=options)
        if scheme == "udpout":
            return ConnectionSpec(url, scheme, f"udpout:{host}:{port}{suffix}", options=options)
        return ConnectionSpec(
            url, scheme, f"tcp:{host}:{port}{suffix}", endpoint_key=f"tcp:{host}:{port}", options=options
        )
    if scheme == "serial":
        device = _serial_device(parts, url)
        baud = options.get("baud", str(DEFAULT_BAUD))
        if not is_decimal(baud) or int(baud) <= 0:
            raise InvalidError(
                f"baud must be a whole number of bits per second, such as 57600 or 115200; got {baud!r}", field=_FIELD
            )
        if is_com_port(device):
            # One spelling per port, with the device in the path: every session on COM3 then agrees on the
            # address the shared endpoint compares, and the adapter reads the device where it reads /dev paths.
            url = f"serial:///{device}" + (f"?{parts.query}" if parts.query else "")
        return ConnectionSpec(url, scheme, f"serial:{device}{suffix}", endpoint_key=f"serial:{device}", options=options)
    if scheme == "tlog":
        path = unquote(parts.path)
        if not path:
            raise InvalidError(f"a tlog URL names a file, as tlog:///path/file.tlog; got {url!r}", field=_FIELD)
        speed = options.get("speed", "1")
        if speed != "max" and not _is_positive_number(speed):
            raise InvalidError(f"speed must be a positive number or 'max', got {speed!r}", field=_FIELD)
        return ConnectionSpec(url, scheme, f"tlog:{path}{suffix}", options=options)
    # dji://GATEWAY_SERIAL?broker=...: the gateway (a DJI dock or remote controller) is the endpoint.
    gateway = unquote(parts.netloc)
    if not gateway:
        raise InvalidError(f"a DJI URL names the gateway serial number, as dji://SN; got {url!r}", field=_FIELD)
    return ConnectionSpec(url, scheme, f"dji:{gateway}", endpoint_key=f"dji-gateway:{gateway}", options=options)


def is_com_port(device: str) -> bool:
    """Whether ``device`` is a Windows port name (``COM3``, also as a URL path ``/COM3``)."""
    return _COM_PORT.fullmatch(device) is not None


def serial_device_name(device: str) -> str:
    """The name the operating system opens: ``/com3`` (a URL's path) is ``COM3``; a POSIX path is itself."""
    match = _COM_PORT.fullmatch(device)
    return match.group(1).upper() if match else device


def serial_url(device: str, baud: int = DEFAULT_BAUD) -> str:
    """The URL of a serial device as a person would type it: ``serial:///dev/ttyUSB0?baud=57600``,
    ``serial://COM3?baud=57600``."""
    if is_com_port(device):
        return f"serial://{serial_device_name(device)}?baud={baud}"
    return f"serial://{quote(device)}?baud={baud}"


@dataclass(frozen=True, slots=True)
class SerialPortInfo:
    """A serial port the operating system reports, as the port list and the new-session picker show it.

    Descriptions come from the USB descriptors where there are any, so they say "CP2102 USB to UART" rather
    than naming the radio; the USB id and manufacturer are what tells two adapters apart."""

    device: str
    description: str = ""
    manufacturer: str | None = None
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None

    @property
    def usb_id(self) -> str | None:
        """``VID:PID`` in hex as ``lsusb`` and Device Manager print it; None for a port that is not USB."""
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04X}:{self.pid:04X}"

    @property
    def label(self) -> str:
        """One line naming the port and what is behind it: ``COM3: CP2102 USB to UART (10C4:EA60)``."""
        about = [self.description] if self.description and self.description != self.device else []
        extra = ", ".join(x for x in (self.usb_id, self.manufacturer) if x)
        if extra:
            about.append(f"({extra})")
        return f"{self.device}: {' '.join(about)}" if about else self.device


def _serial_device(parts: SplitResult, url: str) -> str:
    """The device of a serial URL: ``serial:///dev/ttyUSB0`` (a path), ``serial://COM3`` or ``serial:///COM3``."""
    host = unquote(parts.netloc)
    path = unquote(parts.path)
    if host:
        if is_com_port(host) and path in ("", "/"):
            return serial_device_name(host)
        raise InvalidError(
            f"a serial URL names a device path after three slashes, as serial:///dev/ttyUSB0, or a Windows port, "
            f"as serial://COM3; got {url!r}",
            field=_FIELD,
        )
    if not path or path == "/":
        raise InvalidError(
            f"a serial URL names a device, as serial:///dev/ttyUSB0 or serial://COM3; got {url!r}", field=_FIELD
        )
    return serial_device_name(path)


def _scheme(url: str) -> str:
    if "://" not in url:
        raise InvalidError(f"connection URL {url!r} has no scheme (like fake://, udpin://)", field=_FIELD)
    return url.split("://", 1)[0].lower()


def _host_port(parts: SplitResult, url: str) -> tuple[str, int]:
    host = parts.hostname
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidError(f"bad port in {url!r}: {exc}", field=_FIELD) from exc
    if not host:
        raise InvalidError(f"{url!r} needs a host, as udpin://0.0.0.0:14550", field=_FIELD)
    if port is None or not 1 <= port <= 65535:
        raise InvalidError(f"{url!r} needs a port from 1 to 65535", field=_FIELD)
    return host, port


def is_decimal(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts superscripts and other scripts' digits, which int()
    then refuses with a ValueError instead of the InvalidError a caller expects."""
    return text.isascii() and text.isdigit()


def _is_positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False
