"""The pure parts of storage: the UTC column type, row mapping helpers and the lock file."""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from groundstation.domain.errors import UnavailableError
from groundstation.domain.models import StreamQos
from groundstation.domain.telemetry import TELEMETRY_FIELDS, GpsFix, TelemetrySample
from groundstation.storage import ProfileLock
from groundstation.storage.mapping import qos_from_json, qos_to_json, telemetry_values
from groundstation.storage.orm import TelemetryRow, UtcDateTime

DIALECT = sqlite.dialect()
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_utc_datetime_stores_naive_utc_from_any_zone() -> None:
    column = UtcDateTime()
    tokyo = T0.astimezone(timezone(timedelta(hours=9)))
    assert column.process_bind_param(tokyo, DIALECT) == datetime(2024, 5, 1, 12, 0)
    assert column.process_bind_param(None, DIALECT) is None


def test_utc_datetime_returns_aware_utc() -> None:
    back = UtcDateTime().process_result_value(datetime(2024, 5, 1, 12, 0), DIALECT)
    assert back == T0
    assert back is not None
    assert back.tzinfo is UTC
    assert UtcDateTime().process_result_value(None, DIALECT) is None


def test_utc_datetime_refuses_naive_input() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2024, 5, 1), DIALECT)


def test_qos_json_round_trip_and_tolerance_of_unknown_keys() -> None:
    qos = StreamQos(source_fps=25.0, frames_dropped=3, codec="hevc", next_attempt_at=T0)
    data = qos_to_json(qos)
    assert data["next_attempt_at"] == T0.isoformat()
    assert qos_from_json({**data, "added_in_a_later_release": 1}) == qos


def test_every_telemetry_field_has_a_column() -> None:
    assert set(TELEMETRY_FIELDS) <= set(TelemetryRow.__table__.columns.keys())
    values = telemetry_values(TelemetrySample("ses_1", T0, gps_fix=GpsFix.FIX_3D))
    assert values["gps_fix"] == 3
    assert type(values["gps_fix"]) is int
    # Every field is stored but the live-only ones (the current mission item means nothing in history).
    assert set(values) == set(TELEMETRY_FIELDS)
    assert set(TELEMETRY_FIELDS) < {f.name for f in fields(TelemetrySample)}


def test_lock_writes_the_pid_refuses_a_second_holder_and_clears_on_release(tmp_path: Path) -> None:
    path = tmp_path / "profile.lock"
    lock = ProfileLock.acquire(path, "demo")
    assert lock.held
    assert path.read_text().strip() == str(os.getpid())
    with pytest.raises(UnavailableError, match=rf"profile 'demo' is in use .*\(pid {os.getpid()}\)"):
        ProfileLock.acquire(path, "demo")
    lock.release()
    lock.release()
    assert not lock.held
    assert path.read_text() == ""
    ProfileLock.acquire(path, "demo").release()
