"""ParamClient against a scripted vehicle: lost values re-requested by index, echoes confirming writes, timeouts."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any

import pytest

from groundstation.adapters.mavlink.params import ParamClient
from groundstation.domain.errors import InvalidError, OperationTimeoutError
from groundstation.domain.parameters import ParamType
from tests.peers.mavlink_udp_channel import ScriptedMavChannel


class ParamVehicle:
    """Holds typed parameters and answers the parameter protocol, with faults a test switches on."""

    def __init__(self, params: dict[str, tuple[float | int, ParamType]], *, bytewise: bool) -> None:
        self.params = dict(params)
        self.names = list(params)
        self.bytewise = bytewise
        self.drop_first: set[int] = set()  # indices lost the first time they are sent
        self.silent_indices: set[int] = set()  # indices never sent at all
        self.ignore_sets = 0  # PARAM_SETs to leave unanswered
        self.clamp: dict[str, float | int] = {}  # what the vehicle stores instead of a written value
        self.mute = False
        self.channel = ScriptedMavChannel(self)

    def _encode(self, value: float | int, kind: ParamType) -> float:
        if kind.is_integer and self.bytewise:
            return float(struct.unpack("<f", struct.pack("<i", int(value)))[0])
        return float(value)

    def _decode(self, raw: float, kind: ParamType) -> float | int:
        if kind.is_integer:
            return struct.unpack("<i", struct.pack("<f", raw))[0] if self.bytewise else int(raw)
        return raw

    def _value(self, index: int) -> Any:
        name = self.names[index]
        value, kind = self.params[name]
        mav = self.channel.vehicle_mav
        return mav.param_value_encode(name.encode(), self._encode(value, kind), kind, len(self.names), index)

    def __call__(self, message: Any) -> Iterable[Any]:
        if self.mute:
            return []
        kind = message.get_type()
        if kind == "PARAM_REQUEST_LIST":
            out = []
            for index in range(len(self.names)):
                if index in self.drop_first:
                    self.drop_first.discard(index)
                elif index not in self.silent_indices:
                    out.append(self._value(index))
            return out
        if kind == "PARAM_REQUEST_READ":
            index = message.param_index if message.param_index >= 0 else self.names.index(message.param_id)
            return [] if index in self.silent_indices else [self._value(index)]
        if kind == "PARAM_SET":
            if self.ignore_sets:
                self.ignore_sets -= 1
                return []
            name = message.param_id
            _, stored_kind = self.params[name]
            value = self.clamp.get(name, self._decode(message.param_value, stored_kind))
            self.params[name] = (value, stored_kind)
            return [self._value(self.names.index(name))]
        return []


PARAMS: dict[str, tuple[float | int, ParamType]] = {
    "TEST_P": (42, ParamType.INT32),
    "TEST_F": (1.5, ParamType.REAL32),
    "NEG": (-1, ParamType.INT16),
    "ZERO": (0, ParamType.UINT8),
    "BIG": (70000, ParamType.UINT32),
}


@pytest.mark.parametrize("bytewise", [True, False])
async def test_download_decodes_by_type_and_infers_the_encoding(bytewise: bool) -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=bytewise)
    client = ParamClient(vehicle.channel, retry_s=0.05)
    seen: list[tuple[int, int]] = []
    params = await client.download_all(lambda done, total: seen.append((done, total)), timeout_s=2)
    assert {name: p.value for name, p in params.items()} == {n: v for n, (v, _) in PARAMS.items()}
    assert [p.index for p in params.values()] == [0, 1, 2, 3, 4]
    assert params["TEST_P"].type is ParamType.INT32
    assert client.bytewise is bytewise
    assert seen == [(i, 5) for i in range(1, 6)]


async def test_lost_values_are_requested_by_index_not_by_a_new_list() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.drop_first = {1, 3}
    params = await ParamClient(vehicle.channel, retry_s=0.05).download_all(timeout_s=2)
    assert len(params) == 5
    reads = [m.param_index for m in vehicle.channel.sent if m.get_type() == "PARAM_REQUEST_READ"]
    assert sorted(reads) == [1, 3]
    assert vehicle.channel.sent_types().count("PARAM_REQUEST_LIST") == 1


async def test_an_incomplete_download_names_the_missing_indices() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.silent_indices = {2}
    with pytest.raises(OperationTimeoutError, match="received 4 of 5; missing indices 2"):
        await ParamClient(vehicle.channel, retry_s=0.05).download_all(timeout_s=0.4)


async def test_a_silent_vehicle_is_asked_again_then_reported() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.mute = True
    with pytest.raises(OperationTimeoutError, match="sent no parameters"):
        await ParamClient(vehicle.channel, retry_s=0.05, retries=2).download_all(timeout_s=2)
    assert vehicle.channel.sent_types().count("PARAM_REQUEST_LIST") == 3


@pytest.mark.parametrize("bytewise", [True, False])
async def test_set_is_confirmed_by_the_echo_and_encoded_for_the_vehicle(bytewise: bool) -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=bytewise)
    client = ParamClient(vehicle.channel, bytewise=bytewise, retry_s=0.05)
    echoed = await client.set("TEST_P", 7)  # type learned by reading first
    assert echoed.value == 7 and echoed.type is ParamType.INT32
    assert vehicle.params["TEST_P"] == (7, ParamType.INT32)
    assert vehicle.channel.sent_types() == ["PARAM_REQUEST_READ", "PARAM_SET"]
    await client.set("TEST_F", 2.25, ParamType.REAL32)
    assert vehicle.params["TEST_F"][0] == 2.25


async def test_set_retries_an_unanswered_write() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.ignore_sets = 2
    client = ParamClient(vehicle.channel, retry_s=0.05, retries=3)
    assert (await client.set("TEST_F", 3.0, ParamType.REAL32)).value == 3.0
    assert vehicle.channel.sent_types().count("PARAM_SET") == 3


async def test_set_without_any_echo_times_out_in_words() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.ignore_sets = 99
    with pytest.raises(OperationTimeoutError, match=r"did not confirm TEST_F = 3\.0 \(3 attempts\)"):
        await ParamClient(vehicle.channel, retry_s=0.05, retries=2).set("TEST_F", 3.0, ParamType.REAL32)


async def test_a_different_echo_is_an_error_naming_both_values() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.clamp = {"TEST_P": 100}
    with pytest.raises(InvalidError, match="kept TEST_P = 100 instead of 500"):
        await ParamClient(vehicle.channel, retry_s=0.05).set("TEST_P", 500, ParamType.INT32)


async def test_bad_names_and_values_are_refused_before_sending() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    client = ParamClient(vehicle.channel, retry_s=0.05)
    with pytest.raises(InvalidError, match="1 to 16 ASCII characters") as error:
        await client.get("A_NAME_LONGER_THAN_16")
    assert error.value.field == "name"
    with pytest.raises(InvalidError, match="outside UINT8's range"):
        await client.set("ZERO", 300, ParamType.UINT8)
    assert vehicle.channel.sent == []


async def test_get_of_an_unknown_name_times_out_in_words() -> None:
    vehicle = ParamVehicle(PARAMS, bytewise=True)
    vehicle.mute = True
    with pytest.raises(OperationTimeoutError, match="did not answer a read of parameter NOPE"):
        await ParamClient(vehicle.channel, retry_s=0.05, retries=1).get("NOPE")
