"""Why a source cannot be opened, in words a person can act on.

OpenCV only says "can't open". Before opening, cheap checks catch what is most often wrong (a file that is
not there, a host that does not resolve, a port nobody listens on); after a failed open, a short protocol
request (HTTP GET, RTSP DESCRIBE) or a PyAV probe of a file tells 404 from 401 from "not a video".
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from groundstation.adapters.video.source_spec import SourceKind, SourceSpec

_PROTOCOL_CHECK_S = 2.0


class SourceError(Exception):
    """A source that did not open; ``permanent`` ones (a missing file, a corrupt file) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def preflight(spec: SourceSpec) -> None:
    """Raise SourceError for what can be known without opening; returns quickly when all looks right."""
    if spec.kind is SourceKind.FILE:
        _check_file(spec.target)
    elif spec.kind is SourceKind.DEVICE:
        if sys.platform.startswith("linux") and not os.path.exists(f"/dev/video{spec.target}"):
            raise SourceError(f"not found: no camera /dev/video{spec.target} on this machine")
    elif spec.kind in (SourceKind.RTSP, SourceKind.HTTP):
        assert spec.host is not None and spec.port is not None
        _check_tcp(spec.host, spec.port, spec.open_timeout_ms / 1000)
    elif spec.kind in (SourceKind.UDP, SourceKind.RTP):
        assert spec.port is not None
        _check_udp_port(spec.host or "0.0.0.0", spec.port)


def explain_failure(spec: SourceSpec, elapsed_s: float) -> SourceError:
    """The best explanation for an open that OpenCV refused after ``elapsed_s`` seconds."""
    timeout_s = spec.open_timeout_ms / 1000
    timed_out = elapsed_s >= timeout_s * 0.9
    if spec.kind is SourceKind.FILE:
        return _explain_file(spec.target)
    if spec.kind is SourceKind.HTTP:
        found = _http_status(spec.target)
        if found is not None:
            return found
    if spec.kind is SourceKind.RTSP:
        found = _rtsp_status(spec)
        if found is not None:
            return found
    if spec.kind in (SourceKind.UDP, SourceKind.RTP) and timed_out:
        return nothing_arrived(spec, timeout_s)
    if spec.kind is SourceKind.DEVICE:
        return SourceError(f"camera {spec.target} could not be opened (in use by another program, or no access)")
    if timed_out:
        return SourceError(f"timed out: {spec.display} delivered no video within {timeout_s:g} s")
    return SourceError(f"not a video: {spec.display} opened but OpenCV found no stream it can decode")


def nothing_arrived(spec: SourceSpec, waited_s: float) -> SourceError:
    """A UDP source (MPEG-TS, or RTP whose SDP opens at once) that received no video while we waited."""
    what = "RTP/H.264" if spec.kind is SourceKind.RTP else "MPEG-TS"
    return SourceError(
        f"timed out: no {what} video arrived on UDP port {spec.port} within {waited_s:g} s "
        "(is the sender pointed at this machine and port?)"
    )


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise SourceError(f"not found: no file at {path}", permanent=True)
    if os.path.isdir(path):
        raise SourceError(f"not a video: {path} is a directory", permanent=True)
    if not os.access(path, os.R_OK):
        raise SourceError(f"unauthorized: no permission to read {path}", permanent=True)


def _explain_file(path: str) -> SourceError:
    try:
        _check_file(path)
    except SourceError as exc:
        return exc
    import av  # only here: PyAV is the better prober, OpenCV stays the decoder

    try:
        with av.open(path) as container:
            streams = list(container.streams.video)
            if not streams:
                return SourceError(f"not a video: {path} has no video stream", permanent=True)
            codec = streams[0].codec_context.name
            return SourceError(f"unsupported codec: {codec} in {path} cannot be decoded here", permanent=True)
    except av.FFmpegError:
        return SourceError(f"not a video: {path} is corrupt or not a media file", permanent=True)


def _check_tcp(host: str, port: int, timeout_s: float) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise SourceError(f"unreachable: the host name {host!r} does not resolve (check the address)") from None
    family, kind, proto, _, address = infos[0]
    deadline = time.monotonic() + timeout_s
    with socket.socket(family, kind, proto) as sock:
        sock.settimeout(max(deadline - time.monotonic(), 0.1))
        try:
            sock.connect(address)
        except ConnectionRefusedError:
            raise SourceError(
                f"connection refused by {host}:{port} (is the camera or server running, on this port?)"
            ) from None
        except TimeoutError:
            raise SourceError(f"unreachable: {host}:{port} did not answer within {timeout_s:g} s") from None
        except OSError as exc:
            raise SourceError(f"unreachable: {host}:{port}: {exc.strerror or exc}") from None


def _check_udp_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SourceError(f"UDP port {port} is already in use by another program") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise SourceError(f"{host} is not an address of this machine; use 0.0.0.0:{port}") from None
            raise SourceError(f"cannot listen on UDP {host}:{port}: {exc.strerror or exc}") from None


def _http_status(url: str) -> SourceError | None:
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "groundstation-probe"})
    try:
        with urllib.request.urlopen(request, timeout=_PROTOCOL_CHECK_S) as response:
            kind = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        return _status_error(exc.code, urlsplit(url).path or "/", "server")
    except (urllib.error.URLError, OSError):
        return None
    if kind.startswith(("text/", "application/json")):
        return SourceError(f"not a video: the server sent {kind}, not a video stream", permanent=False)
    return None


def _rtsp_status(spec: SourceSpec) -> SourceError | None:
    """Send one RTSP DESCRIBE (without credentials) and read the status line."""
    assert spec.host is not None and spec.port is not None
    parts = urlsplit(spec.target)
    plain = f"rtsp://{spec.host}:{spec.port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    request = f"DESCRIBE {plain} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nUser-Agent: groundstation\r\n\r\n"
    try:
        with socket.create_connection((spec.host, spec.port), timeout=_PROTOCOL_CHECK_S) as sock:
            sock.sendall(request.encode())
            line = sock.recv(256).split(b"\r\n", 1)[0].decode("latin-1")
    except OSError:
        return None
    fields = line.split()
    if len(fields) < 2 or not fields[1].isdigit():
        return None
    code = int(fields[1])
    if code == 401 and parts.username:
        return SourceError("unauthorized: the camera refused the user name or password")
    return _status_error(code, parts.path or "/", "camera")


def _status_error(code: int, path: str, who: str) -> SourceError | None:
    if code == 404:
        return SourceError(f"not found: the {who} has nothing at {path} (404)")
    if code in (401, 403):
        return SourceError(f"unauthorized: the {who} wants a user name and password ({code})")
    if code >= 500:
        return SourceError(f"the {who} failed to serve {path} ({code})")
    if code >= 400:
        return SourceError(f"the {who} refused the request for {path} ({code})")
    return None
