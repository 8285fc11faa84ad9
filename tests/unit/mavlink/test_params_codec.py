"""Parameter values by type through MAVLink's float field, in both encodings, and how the encoding is inferred."""

from __future__ import annotations

import math
import struct

import pytest

from groundstation.adapters.mavlink import params_codec as codec
from groundstation.domain.errors import InvalidError
from groundstation.domain.parameters import ParamType


def raw_of(value: float) -> bytes:
    return struct.pack("<f", value)


def test_bytewise_int32_42_reads_as_a_denormal_and_decodes_to_42() -> None:
    as_float = struct.unpack("<f", struct.pack("<i", 42))[0]
    assert as_float == pytest.approx(5.9e-44, rel=0.01)
    assert codec.decode_value(raw_of(as_float), ParamType.INT32, bytewise=True) == 42
    assert codec.encode_value(42, ParamType.INT32, bytewise=True) == as_float


@pytest.mark.parametrize(
    ("param_type", "value"),
    [
        (ParamType.UINT8, 255),
        (ParamType.INT8, -128),
        (ParamType.UINT16, 65535),
        (ParamType.INT16, -300),
        (ParamType.UINT32, 4_000_000_000),
        (ParamType.INT32, -1),
        (ParamType.INT32, 2**31 - 1),
    ],
)
def test_every_integer_type_round_trips_bytewise(param_type: ParamType, value: int) -> None:
    encoded = codec.encode_value(value, param_type, bytewise=True)
    assert codec.decode_value(raw_of(encoded), param_type, bytewise=True) == value


def test_cast_encoding_sends_integers_as_whole_floats() -> None:
    assert codec.encode_value(42, ParamType.INT32, bytewise=False) == 42.0
    assert codec.decode_value(raw_of(42.0), ParamType.INT16, bytewise=False) == 42
    assert codec.decode_value(raw_of(-7.0), ParamType.INT8, bytewise=False) == -7


def test_reals_are_the_float_itself_in_either_encoding() -> None:
    for bytewise in (True, False):
        assert codec.encode_value(1.5, ParamType.REAL32, bytewise=bytewise) == 1.5
        assert codec.decode_value(raw_of(0.25), ParamType.REAL32, bytewise=bytewise) == 0.25


def test_values_outside_the_type_or_fractional_are_refused_with_the_field() -> None:
    with pytest.raises(InvalidError, match=r"outside UINT8's range 0\.\.255") as error:
        codec.encode_value(256, ParamType.UINT8, bytewise=True)
    assert error.value.field == "value"
    with pytest.raises(InvalidError, match="not a whole number"):
        codec.encode_value(1.5, ParamType.INT32, bytewise=False)


def test_signalling_nan_patterns_are_refused_rather_than_sent_altered() -> None:
    with pytest.raises(InvalidError, match="signalling NaN"):
        codec.encode_value(-4194305, ParamType.INT32, bytewise=True)


def test_inference_tells_the_encodings_apart_and_abstains_when_it_cannot() -> None:
    assert codec.infer_bytewise(struct.pack("<i", 42), ParamType.INT32) is True
    assert codec.infer_bytewise(struct.pack("<i", -1), ParamType.INT32) is True  # a NaN as a float
    assert codec.infer_bytewise(raw_of(42.0), ParamType.INT32) is False
    assert codec.infer_bytewise(raw_of(0.0), ParamType.INT32) is None  # zero is the same in both
    assert codec.infer_bytewise(raw_of(1.5), ParamType.REAL32) is None
    assert codec.infer_bytewise(raw_of(2.0**30), ParamType.INT32) is None  # whole, but could be either


def test_announced_capabilities_and_known_autopilots_decide_the_encoding() -> None:
    assert codec.bytewise_from_capabilities(codec.CAPABILITY_PARAM_ENCODE_BYTEWISE) is True
    assert codec.bytewise_from_capabilities(codec.CAPABILITY_PARAM_ENCODE_C_CAST) is False
    assert codec.bytewise_from_capabilities(0) is None
    assert codec.bytewise_from_autopilot(codec.AUTOPILOT_ARDUPILOTMEGA) is False
    assert codec.bytewise_from_autopilot(codec.AUTOPILOT_PX4) is True
    assert codec.bytewise_from_autopilot(0) is None


def test_a_nan_for_a_cast_integer_is_an_error_in_words() -> None:
    with pytest.raises(InvalidError, match="integer parameter"):
        codec.decode_value(raw_of(math.nan), ParamType.INT32, bytewise=False)


def test_raw_bytes_come_from_the_frame_so_signalling_nans_survive() -> None:
    from pymavlink.dialects.v20 import common as mavlink

    sender = mavlink.MAVLink(None, srcSystem=1, srcComponent=1)
    frame = bytearray(sender.param_value_encode(b"NEG", 0.0, ParamType.INT32, 1, 0).pack(sender))
    frame[10:14] = struct.pack("<i", -4194305)  # patch the float's bytes, then fix the checksum
    from pymavlink.generator.mavcrc import x25crc

    crc = x25crc(bytes(frame[1:-2]))
    crc.accumulate(bytes([mavlink.MAVLink_param_value_message.crc_extra]))
    frame[-2:] = struct.pack("<H", crc.crc)
    message = mavlink.MAVLink(None, srcSystem=255, srcComponent=190).parse_buffer(bytes(frame))[0]
    assert codec.decode_value(codec.raw_value_bytes(message), ParamType.INT32, bytewise=True) == -4194305
