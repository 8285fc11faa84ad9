"""ParamClient against MAVSDK's ParamServer acting as an autopilot over real UDP: an implementation we did not write.

MAVSDK stores integers byte-wise in PARAM_VALUE's float field (INT32 42 arrives as 5.9e-44) and wants PARAM_SET
addressed to component 1; the client must infer the encoding from the values and write back in it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import mavsdk
import pytest
from mavsdk.plugins.param_server import ParamServer

from groundstation.adapters.mavlink.params import ParamClient
from groundstation.domain.errors import OperationTimeoutError
from groundstation.domain.parameters import ParamType
from tests.peers.mavlink_udp_channel import UdpMavChannel
from tests.waiting import wait_until

pytestmark = pytest.mark.peer


@pytest.fixture
async def vehicle() -> AsyncIterator[tuple[UdpMavChannel, Any]]:
    """A MAVSDK autopilot with four parameters, connected to our channel's UDP port and heard from."""
    async with UdpMavChannel() as channel:
        sdk = mavsdk.Mavsdk(mavsdk.Configuration.create_with_component_type(mavsdk.ComponentType.AUTOPILOT))
        server = ParamServer(sdk.server_component())
        server.provide_param_int("TEST_P", 42)
        server.provide_param_int("NEG_P", -7)
        server.provide_param_float("TEST_F", 1.5)
        server.provide_param_float("GAIN", 0.135)
        sdk.add_any_connection(f"udpout://127.0.0.1:{channel.port}")
        try:
            await channel.wait_for_vehicle()
            yield channel, server
        finally:
            sdk.destroy()


async def test_download_decodes_bytewise_integers_and_reals(vehicle: tuple[UdpMavChannel, Any]) -> None:
    channel, _server = vehicle
    client = ParamClient(channel, retry_s=0.5)
    progress: list[tuple[int, int]] = []
    params = await client.download_all(lambda done, total: progress.append((done, total)), timeout_s=10)
    assert {n: (p.value, p.type) for n, p in params.items()} == {
        "TEST_P": (42, ParamType.INT32),
        "NEG_P": (-7, ParamType.INT32),
        "TEST_F": (1.5, ParamType.REAL32),
        "GAIN": (pytest.approx(0.135), ParamType.REAL32),
    }
    assert client.bytewise is True
    assert progress[-1] == (4, 4)
    assert sorted(p.index for p in params.values() if p.index is not None) == [0, 1, 2, 3]


async def test_get_reads_one_parameter_by_name(vehicle: tuple[UdpMavChannel, Any]) -> None:
    channel, _server = vehicle
    parameter = await ParamClient(channel, retry_s=0.5).get("TEST_P")
    assert (parameter.value, parameter.type) == (42, ParamType.INT32)


async def test_set_reaches_the_server_and_is_confirmed(vehicle: tuple[UdpMavChannel, Any]) -> None:
    channel, server = vehicle
    client = ParamClient(channel, retry_s=0.5)
    assert (await client.set("TEST_P", 1234)).value == 1234  # type learned by a read first
    assert (await client.set("NEG_P", -100000, ParamType.INT32)).value == -100000
    assert (await client.set("TEST_F", -2.75)).value == -2.75
    await wait_until(lambda: server.retrieve_param_int("TEST_P") == 1234)
    assert server.retrieve_param_int("NEG_P") == -100000
    assert server.retrieve_param_float("TEST_F") == -2.75
    again = await client.download_all(timeout_s=10)
    assert again["TEST_P"].value == 1234


async def test_setting_an_unknown_parameter_is_not_confirmed(vehicle: tuple[UdpMavChannel, Any]) -> None:
    channel, _server = vehicle
    client = ParamClient(channel, retry_s=0.3, retries=1)
    with pytest.raises(OperationTimeoutError, match=r"did not confirm NO_SUCH = 1\.0"):
        await client.set("NO_SUCH", 1.0, ParamType.REAL32)
