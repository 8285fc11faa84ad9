"""One MAVLink endpoint (a UDP port, a TCP connection, a serial device) and the sessions that share it.

A radio or a router carries several vehicles on one link, and each vehicle (system id) is its own session.
Those sessions must share what the operating system gives once, and what MAVLink expects once per ground
station: the socket (one bind of UDP 14550), the parser (each frame parsed once, bad frames counted once),
the 1 Hz GCS heartbeat and the sequence numbers of our outgoing frames (one GCS, one seq, so a vehicle does
not count our frames as lost). ``MavlinkEndpoint`` owns all of that and hands every parsed message to each
member link, which keeps only its own vehicle's. ``EndpointPool`` (one per adapter) opens an endpoint for
the first session on it and closes it when the last one leaves.

Whether two sessions *may* share an endpoint (same profile, same adapter) is the services' endpoint claim;
the pool only refuses what cannot work: a different address or GCS system id on the same endpoint, or two
sessions following the same vehicle.

An autopilot heard on an endpoint that no member follows or waits for is announced once to the pool's
listener, so a profile can start a session for it (``mavlink.auto_sessions``).

The transport's condition reports (lost and why, reconnecting, back) concern every vehicle behind the
socket, so each goes to every member. ``condition``, the transport's condition of now, is told to members
that join while the link is down, and asked by a session that turns ``link_lost`` and wants to say why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from groundstation.adapters.mavlink import gcs
from groundstation.adapters.mavlink.codec import FrameParser, new_encoder
from groundstation.adapters.mavlink.link_condition import ConditionCallback, LinkCondition
from groundstation.adapters.mavlink.serial_link import SerialTransport
from groundstation.adapters.mavlink.stats import LinkCounters
from groundstation.adapters.mavlink.transports import TcpTransport, Transport, UdpTransport
from groundstation.adapters.mavlink.vehicle import Component, SystemsSeen, is_vehicle_heartbeat
from groundstation.domain.errors import ConflictError
from groundstation.domain.models import ConnectionSpec

log = logging.getLogger(__name__)

GCS_COMPONENT = 190  # MAV_COMP_ID_MISSIONPLANNER: what ground stations use


class Member(Protocol):
    """What an endpoint needs of a link on it (``MavlinkLink``)."""

    @property
    def session_id(self) -> str: ...

    @property
    def wanted_sysid(self) -> int | None:
        """The URL's ``sysid``; None for a link that takes the first free autopilot it hears."""

    @property
    def followed_sysid(self) -> int | None:
        """The system id the link follows once it picked its vehicle; None before."""

    def heard(self, msg: Any, t: float) -> None:
        """One parsed message from the link (any system); ``t`` is wall time."""

    def sent(self, t: float, frame: bytes, msg: Any) -> None:
        """One frame we sent (for the link's tlog); ``msg`` is the message it encodes (None if unknown)."""

    def link_changed(self, condition: LinkCondition) -> None:
        """The transport's condition changed (already rate-limited: one call per distinct condition)."""


VehicleHeard = Callable[["MavlinkEndpoint", Component], None]


def link_label(spec: ConnectionSpec) -> str:
    """The endpoint as a person names it, without the vehicle: ``udpin:14550``, ``tcp:host:5760``."""
    return spec.device_key.split("#", 1)[0]


def _base_url(url: str) -> str:
    """The URL without its ``sysid``: what every session on one endpoint must agree on."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("sysid", "tlog_dir")]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), ""))


def url_for_sysid(url: str, sysid: int) -> str:
    """``url`` naming vehicle ``sysid``, other options kept: the URL of an automatically started session."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sysid"]
    query.append(("sysid", str(sysid)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def make_transport(
    spec: ConnectionSpec, on_data: Callable[[bytes], None], on_condition: ConditionCallback | None = None
) -> Transport:
    parts = urlsplit(spec.url)
    if spec.scheme in ("udpin", "udpout"):
        assert parts.hostname is not None and parts.port is not None
        return UdpTransport(
            parts.hostname, parts.port, on_data, listen=spec.scheme == "udpin", on_condition=on_condition
        )
    if spec.scheme == "tcp":
        assert parts.hostname is not None and parts.port is not None
        return TcpTransport(parts.hostname, parts.port, on_data, on_condition=on_condition)
    if spec.scheme == "serial":
        baud = int(spec.options.get("baud", "57600"))
        return SerialTransport(unquote(parts.path), baud, on_data, on_condition=on_condition)
    raise ValueError(f"no transport for {spec.scheme}://")


class MavlinkEndpoint:
    """The transport, codec, counters and GCS identity of one link, shared by the sessions on it."""

    def __init__(
        self,
        spec: ConnectionSpec,
        gcs_sysid: int,
        *,
        clock: Callable[[], float] = time.time,
        on_vehicle: VehicleHeard | None = None,
    ) -> None:
        self.spec = spec
        self.base_url = _base_url(spec.url)
        self.gcs_sysid = gcs_sysid
        self.parser = FrameParser()
        self.counters = LinkCounters(time.monotonic)
        self.systems = SystemsSeen()
        self.mav = new_encoder(gcs_sysid, GCS_COMPONENT, self._write)
        self.transport: Transport | None = None
        self.members: list[Member] = []
        self._clock = clock
        self._on_vehicle = on_vehicle
        self._announced: set[int] = set()
        self._ticker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------------ lifecycle
    async def open(self) -> None:
        transport = make_transport(self.spec, self.on_bytes, self.on_condition)
        await transport.open()
        self.transport = transport
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever(), name=f"mavlink-gcs:{self.label}")

    async def close(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(BaseException):
                await ticker
        transport, self.transport = self.transport, None
        if transport is not None:
            with contextlib.suppress(Exception):
                await transport.close()

    @property
    def condition(self) -> LinkCondition | None:
        """The transport's condition of now (reported or rate-limited); None before it knows."""
        transport = self.transport
        return transport.condition if transport is not None else None

    @property
    def label(self) -> str:
        return link_label(self.spec)

    def admit(self, member: Member, spec: ConnectionSpec, gcs_sysid: int) -> None:
        """Add a session's link, refusing what cannot share this endpoint (raises ConflictError)."""
        if _base_url(spec.url) != self.base_url:
            raise ConflictError(
                f"{self.label} is open as {self.spec.url}; a session sharing it must use the same address "
                f"and options (apart from sysid), not {spec.url}"
            )
        if gcs_sysid != self.gcs_sysid:
            raise ConflictError(
                f"{self.label} talks as GCS system {self.gcs_sysid}; gcs_sysid={gcs_sysid} cannot share it"
            )
        wanted = member.wanted_sysid
        for other in self.members:
            if wanted is None and other.wanted_sysid is None:
                raise ConflictError(f"{self.label} already has a session taking the first vehicle heard")
            if wanted is not None and wanted in (other.wanted_sysid, other.followed_sysid):
                raise ConflictError(f"vehicle {wanted} on {self.label} is followed by session {other.session_id}")
        self.members.append(member)
        if self.condition is not None and not self.condition.up:
            member.link_changed(self.condition)  # joining a link that is down: say so, as the others heard

    def remove(self, member: Member) -> None:
        if member in self.members:
            self.members.remove(member)

    def is_free(self, sysid: int, asking: Member) -> bool:
        """Whether a link taking the first vehicle heard may take ``sysid``: no other member wants it."""
        return all(m is asking or sysid not in (m.wanted_sysid, m.followed_sysid) for m in self.members)

    # ------------------------------------------------------------------------------------------ traffic
    def on_condition(self, condition: LinkCondition) -> None:
        """The transport's callback for its condition: every vehicle behind the socket shares it."""
        for member in list(self.members):
            try:
                member.link_changed(condition)
            except Exception:
                log.exception("a link on %s failed to take the report %r", self.label, condition.text)

    def on_bytes(self, data: bytes) -> None:
        """The transport's callback: parse once, count once, then every member sees every message."""
        self.counters.bytes_in += len(data)
        messages = self.parser.feed(data)
        if not messages:
            return
        t = self._clock()
        for msg in messages:
            self.observe(msg)
            for member in self.members:
                member.heard(msg, t)
            if msg._type == "HEARTBEAT":
                self._maybe_announce(msg)

    def observe(self, msg: Any) -> None:
        """Link-wide facts of one message: counters, sequence gaps, the systems on the link, radio RSSI."""
        header = msg._header
        self.counters.received((header.srcSystem, header.srcComponent), header.seq)
        mtype = msg._type
        if mtype == "HEARTBEAT":
            self.systems.heartbeat(header.srcSystem, header.srcComponent, msg)
        elif mtype == "RADIO_STATUS":
            # Radios send as their own system (ord('3'), ord('D')): the link's quality, whoever sent it.
            self.counters.radio(msg.rssi, msg.remrssi)

    def _maybe_announce(self, msg: Any) -> None:
        sysid, compid = msg._header.srcSystem, msg._header.srcComponent
        if sysid in self._announced or self._on_vehicle is None or not self.members:
            return
        if not is_vehicle_heartbeat(msg, compid):
            return
        if any(m.wanted_sysid is None and m.followed_sysid is None for m in self.members):
            return  # a link still waiting for its first vehicle takes this one
        if any(sysid in (m.wanted_sysid, m.followed_sysid) for m in self.members):
            return
        self._announced.add(sysid)
        component = next((c for c in self.systems.components if (c.sysid, c.compid) == (sysid, compid)), None)
        if component is not None:
            self._on_vehicle(self, component)

    def _write(self, frame: bytes) -> None:
        transport = self.transport
        if transport is None or not transport.send(frame):
            self.counters.dropped_out += 1
            return
        self.counters.sent(len(frame))
        t = self._clock()
        msg = getattr(self.mav, "sending", None)
        for member in self.members:
            member.sent(t, frame, msg)

    async def _tick_forever(self) -> None:
        while True:
            gcs.send_heartbeat(self.mav)
            self.counters.tick()
            await asyncio.sleep(1.0)


class EndpointPool:
    """The open endpoints of one adapter, by endpoint key, each closed when its last session leaves."""

    def __init__(self, on_vehicle: VehicleHeard | None = None) -> None:
        self._open: dict[str, MavlinkEndpoint] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._on_vehicle = on_vehicle

    def get(self, key: str) -> MavlinkEndpoint | None:
        return self._open.get(key)

    async def attach(self, member: Member, spec: ConnectionSpec, gcs_sysid: int) -> MavlinkEndpoint:
        """The endpoint of ``spec`` with ``member`` on it, opened if it is the first."""
        key = spec.endpoint_key
        assert key is not None
        async with self._locks.setdefault(key, asyncio.Lock()):
            endpoint = self._open.get(key)
            if endpoint is None:
                endpoint = MavlinkEndpoint(spec, gcs_sysid, on_vehicle=self._on_vehicle)
                endpoint.admit(member, spec, gcs_sysid)
                try:
                    await endpoint.open()
                except BaseException:
                    await endpoint.close()
                    raise
                self._open[key] = endpoint
                log.info("opened %s", endpoint.label)
            else:
                endpoint.admit(member, spec, gcs_sysid)
            return endpoint

    async def detach(self, member: Member, endpoint: MavlinkEndpoint) -> None:
        key = endpoint.spec.endpoint_key
        assert key is not None
        async with self._locks.setdefault(key, asyncio.Lock()):
            endpoint.remove(member)
            if endpoint.members or self._open.get(key) is not endpoint:
                return
            del self._open[key]
            await endpoint.close()
            log.info("closed %s", endpoint.label)
