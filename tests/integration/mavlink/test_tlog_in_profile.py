"""A MAVLink session records its traffic to a .tlog in its own profile's directory, by default."""

from __future__ import annotations

from pathlib import Path

from groundstation.adapters.mavlink.tlog import TlogReader
from tests.integration.mavlink.sim_support import profile_runtime, sim_in_loop, wait_identified
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until


async def test_a_live_mavlink_session_writes_its_tlog_into_the_profile(tmp_path: Path) -> None:
    port = free_udp_port()
    async with profile_runtime(tmp_path) as services, sim_in_loop(port, 1):
        session = await services.sessions.start("copter", "MAVLINK", f"udpin://127.0.0.1:{port}")
        await wait_identified(services, session)
        tlog = Path(services.store.profile.path) / "tlogs" / f"{session.id}.tlog"
        await wait_until(lambda: tlog.exists() and tlog.stat().st_size > 2000, within=10)
        await services.sessions.stop(session.id)
    records = TlogReader(tlog).read_batch(10_000)
    assert len(records) > 10
    heard = {m.get_srcSystem() for _t, m in records if m.get_type() == "HEARTBEAT"}
    assert heard == {1, 255}  # the vehicle and our own GCS heartbeat
