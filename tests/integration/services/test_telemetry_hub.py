"""The hub over a real profile: latest, bounded fan-out, one stored sample per second, time-range history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groundstation.bootstrap import ProfileServices
from groundstation.domain.models import AdapterKind
from groundstation.domain.telemetry import TelemetrySample

T0 = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


async def _session(profile: ProfileServices) -> str:
    return (await profile.sessions.define("alpha", AdapterKind.FAKE, "fake://alpha")).id


async def test_at_most_one_sample_per_second_is_stored_in_batches(profile: ProfileServices) -> None:
    sid = await _session(profile)
    for i in range(50):  # 5 s at 10 Hz
        profile.hub.publish(TelemetrySample(sid, T0 + timedelta(milliseconds=100 * i), alt_rel_m=float(i)))
    assert profile.hub.latest(sid) is not None
    assert profile.hub.latest(sid).alt_rel_m == 49.0  # type: ignore[union-attr]
    written = await profile.hub.flush()
    assert written == 5
    stored = await profile.hub.history(sid)
    assert [s.time for s in stored] == [T0 + timedelta(seconds=k) for k in range(5)]
    assert [s.alt_rel_m for s in stored] == [0.0, 10.0, 20.0, 30.0, 40.0]


async def test_history_by_time_range_includes_what_waits_for_the_next_flush(profile: ProfileServices) -> None:
    sid = await _session(profile)
    for k in range(10):
        profile.hub.publish(TelemetrySample(sid, T0 + timedelta(seconds=k), battery_pct=100.0 - k))
    await profile.hub.flush()
    for k in range(10, 13):
        profile.hub.publish(TelemetrySample(sid, T0 + timedelta(seconds=k), battery_pct=100.0 - k))
    window = await profile.hub.history(sid, since=T0 + timedelta(seconds=3), until=T0 + timedelta(seconds=6))
    assert [s.battery_pct for s in window] == [97.0, 96.0, 95.0]
    everything = await profile.hub.history(sid)
    assert len(everything) == 13
    assert everything[-1].battery_pct == 88.0


async def test_a_slow_subscriber_loses_the_oldest_and_the_loss_is_counted(profile: ProfileServices) -> None:
    sid = await _session(profile)
    slow = profile.hub.subscribe(maxsize=5)
    only_other = profile.hub.subscribe({"ses_other"}, maxsize=5)
    for i in range(20):
        profile.hub.publish(TelemetrySample(sid, T0 + timedelta(milliseconds=i), alt_rel_m=float(i)))
    assert slow.dropped == 15
    assert [(await slow.get()).alt_rel_m for _ in range(5)] == [15.0, 16.0, 17.0, 18.0, 19.0]
    assert len(only_other.queue) == 0
    stats = profile.hub.stats()
    assert stats.published == 20
    assert stats.dropped_by_subscribers == 15
    assert stats.delivered == 5


async def test_close_flushes_what_is_pending(profile: ProfileServices) -> None:
    sid = await _session(profile)
    profile.hub.publish(TelemetrySample(sid, T0, alt_rel_m=1.0))
    await profile.hub.close()
    count = await profile.store.run(lambda uow: uow.telemetry.count(sid))
    assert count == 1


async def test_deleting_a_session_forgets_its_pending_samples(profile: ProfileServices) -> None:
    sid = await _session(profile)
    profile.hub.publish(TelemetrySample(sid, T0, alt_rel_m=1.0))
    await profile.sessions.delete(sid)
    assert await profile.hub.flush() == 0
    assert profile.hub.stats().persist_failures == 0


async def test_a_longer_persist_interval_stores_fewer_samples(profile: ProfileServices) -> None:
    from groundstation.services.telemetry import TelemetryHub

    sid = await _session(profile)
    hub = TelemetryHub(profile.store, persist_interval_s=5.0)
    for i in range(100):  # 10 s at 10 Hz, starting on a 5 s boundary
        hub.publish(TelemetrySample(sid, T0 + timedelta(milliseconds=100 * i), alt_rel_m=float(i)))
    assert await hub.flush() == 2
    await hub.close()
