"""``groundstation sim mavlink --param-rate``: a parameter list paced like a slow radio, seen through progress."""

from __future__ import annotations

import asyncio
from pathlib import Path

from groundstation.domain.models import SessionState
from tests.integration.mavlink.sim_support import profile_runtime, sim_process, wait_identified, wait_state
from tests.unit.mavlink.support import free_udp_port
from tests.waiting import wait_until


async def test_a_paced_parameter_list_shows_its_progress_part_way(tmp_path: Path) -> None:
    port = free_udp_port()
    args = ("--vehicles", "1", "--udpout", f"127.0.0.1:{port}", "--param-rate", "25")
    async with profile_runtime(tmp_path) as services, sim_process(*args):
        session = await services.sessions.start("slow radio", "MAVLINK", f"udpin://127.0.0.1:{port}?sysid=1")
        await wait_state(services, session.id, SessionState.ACTIVE)
        await wait_identified(services, session)
        download = asyncio.ensure_future(services.parameters.download(session.id))

        def part_way() -> bool:
            progress = services.parameters.progress(session.id)
            return progress is not None and 0 < progress.done < progress.total

        await wait_until(part_way, within=10)  # at 25 values/s a list of ~60 takes over two seconds
        params = await download
        progress = services.parameters.progress(session.id)
        assert progress is not None and progress.done == progress.total == len(params)
        assert len(params) > 20
        await services.sessions.stop(session.id)
