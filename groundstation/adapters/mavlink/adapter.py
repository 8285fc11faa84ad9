"""The MAVLink adapter: checks a connection's options and makes links.

Options a URL may carry: ``sysid`` (the vehicle to follow), ``gcs_sysid`` (our own system id, default
255), ``tlog_dir`` (record the session's own vehicle's traffic there), ``baud`` (serial) and ``speed`` (tlog replay).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from groundstation.adapters.mavlink.endpoint import EndpointPool, MavlinkEndpoint, url_for_sysid
from groundstation.adapters.mavlink.link import MavlinkLink
from groundstation.adapters.mavlink.vehicle import Component
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind, ConnectionSpec, DiscoveredVehicle
from groundstation.domain.ports import DiscoveryListener, TelemetrySink

log = logging.getLogger(__name__)

_OPTIONS: dict[str, frozenset[str]] = {
    "udpin": frozenset({"sysid", "gcs_sysid", "tlog_dir"}),
    "udpout": frozenset({"sysid", "gcs_sysid", "tlog_dir"}),
    "tcp": frozenset({"sysid", "gcs_sysid", "tlog_dir"}),
    "serial": frozenset({"sysid", "gcs_sysid", "tlog_dir", "baud"}),
    "tlog": frozenset({"sysid", "speed"}),
}
_FIELD = "connection.url"


class MavlinkAdapter:
    """Makes MAVLink links; with ``tlog_dir`` every live session records ``<tlog_dir>/<session id>.tlog``:
    the frames from and to its own vehicle (and our heartbeats), even when its endpoint carries others.

    Sessions on one endpoint (several vehicles behind one UDP port, TCP connection or radio) share it through
    the adapter's ``EndpointPool``; autopilots heard there that no session follows are announced to the
    discovery listeners (``VehicleDiscovery``).
    """

    def __init__(self, tlog_dir: Path | None = None) -> None:
        self._tlog_dir = tlog_dir
        self._listeners: list[DiscoveryListener] = []
        self.endpoints = EndpointPool(on_vehicle=self._vehicle_heard)

    def add_discovery_listener(self, listener: DiscoveryListener) -> Callable[[], None]:
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _vehicle_heard(self, endpoint: MavlinkEndpoint, component: Component) -> None:
        notice = DiscoveredVehicle(
            adapter=AdapterKind.MAVLINK,
            link=endpoint.label,
            url=url_for_sysid(endpoint.spec.url, component.sysid),
            system_id=component.sysid,
            autopilot=component.autopilot,
            vehicle_type=component.type,
            heard_by=tuple(m.session_id for m in endpoint.members),
        )
        for listener in list(self._listeners):
            try:
                listener(notice)
            except Exception:
                log.exception("a discovery listener failed on %s", notice)

    @property
    def kind(self) -> AdapterKind:
        return AdapterKind.MAVLINK

    def check(self, spec: ConnectionSpec) -> None:
        allowed = _OPTIONS.get(spec.scheme)
        if allowed is None:
            raise InvalidError(f"the MAVLink adapter does not take {spec.scheme}:// URLs", field=_FIELD)
        unknown = sorted(set(spec.options) - allowed)
        if unknown:
            raise InvalidError(
                f"unknown option(s) {', '.join(unknown)} for {spec.scheme}:// (allowed: {', '.join(sorted(allowed))})",
                field=_FIELD,
            )
        gcs = spec.options.get("gcs_sysid")
        if gcs is not None and not (gcs.isdigit() and 1 <= int(gcs) <= 255):
            raise InvalidError(f"gcs_sysid must be an integer from 1 to 255, got {gcs!r}", field=_FIELD)
        if spec.options.get("sysid") and gcs is not None and spec.options["sysid"] == gcs:
            raise InvalidError("gcs_sysid must differ from the vehicle's sysid", field=_FIELD)
        if "tlog_dir" in spec.options and not spec.options["tlog_dir"]:
            raise InvalidError("tlog_dir must name a directory", field=_FIELD)

    def create_link(self, session_id: str, spec: ConnectionSpec, sink: TelemetrySink) -> MavlinkLink:
        return MavlinkLink(session_id, spec, sink, tlog_dir=self._tlog_dir, pool=self.endpoints)
