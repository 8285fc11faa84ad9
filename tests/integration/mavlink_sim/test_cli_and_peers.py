"""``groundstation sim mavlink`` as a process, and MAVProxy (a real router nobody here wrote) in front of it."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.adapters.mavlink_sim import TcpListen
from tests.integration.mavlink_sim.conftest import fleet, start
from tests.integration.mavlink_sim.gcs import UdpGcs
from tests.peers.tools import mavproxy_command
from tests.waiting import wait_until


async def _sim_process(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "groundstation",
        "sim",
        "mavlink",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
async def test_cli_runs_for_its_duration_and_exits_0() -> None:
    gcs = await UdpGcs.open()
    proc = await _sim_process("--vehicles", "2", "--udpout", f"127.0.0.1:{gcs.port}", "--duration", "2")
    try:
        for sysid in (1, 2):
            await gcs.gcs.expect(sysid, "HEARTBEAT", within=10)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
        assert proc.returncode == 0, err.decode()
        log = err.decode()
        assert "copter1 (sysid 1): ArduCopter V4.5.7" in log and "copter2 (sysid 2)" in log
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        gcs.close()


@pytest.mark.slow
async def test_cli_stops_cleanly_on_sigterm() -> None:
    gcs = await UdpGcs.open()
    proc = await _sim_process("--udpout", f"127.0.0.1:{gcs.port}")
    try:
        await gcs.gcs.expect(1, "HEARTBEAT", within=10)
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 10)
        assert proc.returncode == 0, err.decode()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        gcs.close()


async def test_cli_rejects_a_missing_link() -> None:
    proc = await _sim_process("--vehicles", "2")
    _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 2
    assert b"--udpout" in err


@pytest.mark.peer
@pytest.mark.slow
async def test_mavproxy_routes_the_fleet_to_a_gcs_and_commands_back() -> None:
    transport = TcpListen("127.0.0.1", 0)
    running = await start(fleet(2), transport)
    gcs = await UdpGcs.open()
    await wait_until(lambda: transport.port != 0)
    proc = await asyncio.create_subprocess_exec(
        *mavproxy_command(),
        f"--master=tcp:127.0.0.1:{transport.port}",
        f"--out=udpout:127.0.0.1:{gcs.port}",
        "--daemon",
        "--no-state",
        "--nowait",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for sysid in (1, 2):
            hb = await gcs.gcs.expect(sysid, "HEARTBEAT", within=20)
            assert hb.autopilot == mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA
        await wait_until(lambda: gcs.peer is not None)
        ack = await gcs.gcs.command(2, mavlink.MAV_CMD_DO_SET_SERVO, 9, 1500)
        assert ack.result == mavlink.MAV_RESULT_UNSUPPORTED
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        gcs.close()
        await running.close()
