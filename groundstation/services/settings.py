"""Per-profile settings: known keys with types, defaults and checks, each change audited.

Settings are few and typed on purpose: a typo in a key or a string where a number belongs is refused with
the key's name, instead of being stored and silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from groundstation.domain.errors import InvalidError
from groundstation.domain.ports import ProfileStore, UnitOfWork
from groundstation.services.audit import AuditService, WriteScope


@dataclass(frozen=True, slots=True)
class SettingSpec:
    default: Any
    kind: type
    check: Callable[[Any], bool] = lambda _value: True
    help: str = ""


UI_THEMES = ("dark", "light", "sunlight")
UI_UNITS = ("metric", "imperial")
VIDEO_LAYOUTS = ("1", "2x2", "3x3", "4x4")


def _json_object(text: str, keys: tuple[str, ...]) -> bool:
    """A JSON object with only ``keys`` (the window's saved tiles must be readable when it next opens)."""
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and all(key in keys for key in value)


# Up to a century: a bigger number is a typo, and ``now - timedelta(days=...)`` must stay a valid date.
MAX_RETENTION_DAYS = 36_500


def _days(value: int) -> bool:
    return 0 <= value <= MAX_RETENTION_DAYS


SETTINGS: dict[str, SettingSpec] = {
    "sessions.auto_resume": SettingSpec(
        False, bool, help="resume sessions that a crash or kill left interrupted when the profile opens"
    ),
    "sessions.link_timeout_s": SettingSpec(
        3.5,
        float,
        lambda v: 0.5 <= v <= 60,
        "seconds without data before a session is link_lost (applies when the profile is next opened)",
    ),
    "telemetry.persist_interval_s": SettingSpec(
        1.0,
        float,
        lambda v: 1.0 <= v <= 60,
        "at most one stored sample per session per this many seconds (applies when the profile is next opened)",
    ),
    "mavlink.auto_sessions": SettingSpec(False, bool, help="start a session for each new autopilot heard on a link"),
    # ---- the desktop window, per profile (the window reads them when it opens, and writes them back)
    "ui.theme": SettingSpec(
        "dark", str, lambda v: v in UI_THEMES, "the colour theme: dark, light or sunlight (high contrast)"
    ),
    "ui.units": SettingSpec("metric", str, lambda v: v in UI_UNITS, "units shown to the operator: metric or imperial"),
    "ui.window_state": SettingSpec(
        "", str, help="the dock layout of the window, as Qt saved it (base64); empty for the default layout"
    ),
    "ui.tiles": SettingSpec(
        "{}",
        str,
        lambda v: _json_object(v, ("layout", "streams")),
        'the video layout and which stream each tile shows, as JSON: {"layout": "2x2", "streams": [id or null]}',
    ),
    "alarms.battery_low_pct": SettingSpec(
        25.0, float, lambda v: 5 <= v <= 90, "battery percentage at or below which a battery-low warning is raised"
    ),
    "alarms.battery_critical_pct": SettingSpec(
        15.0, float, lambda v: 1 <= v <= 80, "battery percentage at or below which the battery alarm is critical"
    ),
    "alarms.gps_lost_s": SettingSpec(
        2.0, float, lambda v: 0 <= v <= 60, "seconds without a position fix (after one was held) before GPS lost"
    ),
    "alarms.stream_stalled_s": SettingSpec(
        2.0, float, lambda v: 0 <= v <= 60, "seconds a stream may be stalled or failing before it raises an alarm"
    ),
    "alarms.sound": SettingSpec(True, bool, help="beep when an alarm is raised"),
    "video.default_layout": SettingSpec(
        "2x2", str, lambda v: v in VIDEO_LAYOUTS, "the tile layout a profile opens with: 1, 2x2, 3x3 or 4x4"
    ),
    "map.tile_source": SettingSpec(
        "",
        str,
        lambda v: v == "" or v.endswith(".mbtiles") or ("{z}" in v and "{x}" in v and "{y}" in v),
        "raster map tiles: an XYZ URL template with {z}, {x} and {y}, or a local .mbtiles file; empty for a grid",
    ),
    "map.fetch_tiles": SettingSpec(
        False, bool, help="fetch missing XYZ tiles over the network (off: only tiles already cached are drawn)"
    ),
    "api.enabled": SettingSpec(False, bool, help="the desktop window serves the HTTP API on 127.0.0.1 (default off)"),
    "api.port": SettingSpec(8750, int, lambda v: 1 <= v <= 65535, "the TCP port of the window's HTTP API on 127.0.0.1"),
    # ---- retention (services/retention.py): days of history kept, read at every hourly pass; 0 keeps forever.
    # The audit trail of writes (who changed what) has no setting on purpose: it is the accountability record
    # and is never pruned automatically; only the API's access records are (``retention.access_days``).
    "retention.telemetry_days": SettingSpec(
        30, int, _days, "days of stored telemetry samples to keep (a whole number of days, 0 keeps them forever)"
    ),
    "retention.events_days": SettingSpec(
        90, int, _days, "days of integration events to keep (a whole number of days, 0 keeps them forever)"
    ),
    "retention.qos_days": SettingSpec(
        30, int, _days, "days of video QoS snapshots to keep (a whole number of days, 0 keeps them forever)"
    ),
    "retention.access_days": SettingSpec(
        30,
        int,
        _days,
        "days of API access records (api.request, api.ws, api.access_dropped) to keep (a whole number of days, "
        "0 keeps them forever); the audit trail of writes is never pruned",
    ),
}


def coerce_setting(key: str, value: Any) -> Any:
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidError(f"unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})", field=key)
    if spec.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, spec.kind) or (spec.kind is not bool and isinstance(value, bool)):
        raise InvalidError(f"setting {key} takes a {spec.kind.__name__}, got {value!r}", field=key)
    if not spec.check(value):
        raise InvalidError(f"setting {key}: {value!r} is out of range ({spec.help})", field=key)
    return value


class SettingsService:
    def __init__(self, store: ProfileStore, audit: AuditService) -> None:
        self._store = store
        self._audit = audit

    async def get(self, key: str) -> Any:
        spec = SETTINGS.get(key)
        if spec is None:
            raise InvalidError(f"unknown setting {key!r}", field=key)
        stored = await self._store.run(lambda uow: uow.settings.get(key))
        return spec.default if stored is None else stored

    async def all(self) -> dict[str, Any]:
        stored = await self._store.run(lambda uow: uow.settings.all())
        return {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}

    async def set(self, key: str, value: Any, *, actor: str) -> Any:
        detail = {"key": key, "value": value}

        def work(uow: UnitOfWork, _scope: WriteScope) -> Any:
            clean = coerce_setting(key, value)
            uow.settings.set(key, clean)
            return clean

        return await self._audit.write(actor=actor, action="settings.set", target_id=key, work=work, detail=detail)
