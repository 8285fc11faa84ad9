from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundstation.domain.connections import (
    DEFAULT_BAUD,
    SerialPortInfo,
    adapter_for_url,
    parse_connection,
    serial_device_name,
    serial_url,
)
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind


@pytest.mark.parametrize(
    ("adapter", "url", "device", "endpoint"),
    [
        (AdapterKind.FAKE, "fake://alpha?seed=3", "fake:alpha", None),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550", "udpin:14550", "udp:14550"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?sysid=3", "udpin:14550#sysid=3", "udp:14550"),
        (AdapterKind.MAVLINK, "udpout://10.0.0.2:14555", "udpout:10.0.0.2:14555", None),
        (AdapterKind.MAVLINK, "tcp://127.0.0.1:5760", "tcp:127.0.0.1:5760", "tcp:127.0.0.1:5760"),
        (AdapterKind.MAVLINK, "serial:///dev/ttyUSB0?baud=57600", "serial:/dev/ttyUSB0", "serial:/dev/ttyUSB0"),
        (AdapterKind.MAVLINK, "tlog:///data/a.tlog?speed=max", "tlog:/data/a.tlog", None),
        (AdapterKind.DJI, "dji://4TADK8C001?broker=mqtt://127.0.0.1:1883", "dji:4TADK8C001", "dji-gateway:4TADK8C001"),
    ],
)
def test_urls_give_the_keys_the_conflict_rules_compare(
    adapter: AdapterKind, url: str, device: str, endpoint: str | None
) -> None:
    spec = parse_connection(adapter, url)
    assert spec.device_key == device
    assert spec.endpoint_key == endpoint
    assert adapter_for_url(url) is adapter


def test_two_hosts_on_one_udp_port_are_the_same_endpoint() -> None:
    a = parse_connection(AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")
    b = parse_connection(AdapterKind.MAVLINK, "udpin://127.0.0.1:14550")
    assert a.endpoint_key == b.endpoint_key


@pytest.mark.parametrize(
    ("adapter", "url", "words"),
    [
        (AdapterKind.FAKE, "", "empty"),
        (AdapterKind.FAKE, "alpha", "no scheme"),
        (AdapterKind.FAKE, "udpin://0.0.0.0:14550", "FAKE sessions take fake://"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0", "needs a port"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:99999", "port"),
        (AdapterKind.MAVLINK, "udpin://:14550", "needs a host"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?sysid=300", "sysid"),
        (AdapterKind.MAVLINK, "serial://", "names a device"),
        (AdapterKind.MAVLINK, "serial:///dev/ttyUSB0?baud=fast", "baud"),
        (AdapterKind.MAVLINK, "tlog:///a.tlog?speed=-1", "speed"),
        (AdapterKind.DJI, "dji://", "gateway serial"),
        (AdapterKind.FAKE, "fake://", "names one vehicle"),
    ],
)
def test_bad_urls_are_refused_with_the_field_and_a_reason(adapter: AdapterKind, url: str, words: str) -> None:
    with pytest.raises(InvalidError) as info:
        parse_connection(adapter, url)
    assert info.value.field == "connection.url"
    assert words in info.value.message


def test_unknown_scheme_has_no_adapter() -> None:
    with pytest.raises(InvalidError, match="unknown connection scheme 'ftp'"):
        adapter_for_url("ftp://x")


@pytest.mark.parametrize(
    "url",
    [
        "udpin://[::1:14550",
        "udpin://0.0.0.0:14550?sysid=\u00b2",
        "serial:///dev/ttyS0?baud=\u0663",
        "tcp://h:\uff11\uff12",
    ],
)
def test_malformed_urls_are_invalid_not_a_crash(url: str) -> None:
    adapter = AdapterKind.MAVLINK
    with pytest.raises(InvalidError):
        parse_connection(adapter, url)


@given(st.text(max_size=60))
def test_any_text_gives_a_spec_or_invalid(text: str) -> None:
    for adapter in AdapterKind:
        for url in (text, f"udpin://{text}", f"fake://{text}", f"tcp://{text}", f"serial://{text}"):
            with contextlib.suppress(InvalidError):
                parse_connection(adapter, url)


@pytest.mark.parametrize(
    ("url", "canonical", "key"),
    [
        ("serial://COM3?baud=57600", "serial:///COM3?baud=57600", "serial:COM3"),
        ("serial://com3", "serial:///COM3", "serial:COM3"),
        ("serial:///COM3", "serial:///COM3", "serial:COM3"),
        ("serial:///com12?baud=115200&sysid=2", "serial:///COM12?baud=115200&sysid=2", "serial:COM12"),
        ("serial:///dev/ttyUSB0?baud=57600", "serial:///dev/ttyUSB0?baud=57600", "serial:/dev/ttyUSB0"),
    ],
)
def test_windows_port_names_parse_in_either_form_and_are_one_endpoint(url: str, canonical: str, key: str) -> None:
    spec = parse_connection(AdapterKind.MAVLINK, url)
    assert spec.url == canonical
    assert spec.endpoint_key == key
    assert spec.device_key.split("#")[0] == key
    assert spec.shares_endpoint


def test_com_names_are_case_insensitive_but_device_paths_are_not() -> None:
    def endpoint(url: str) -> str | None:
        return parse_connection(AdapterKind.MAVLINK, url).endpoint_key

    assert endpoint("serial://com7") == endpoint("serial://COM7") == endpoint("serial:///Com7?baud=9600")
    assert endpoint("serial:///dev/ttyUSB0") != endpoint("serial:///dev/ttyusb0")
    assert endpoint("serial://COM7") != endpoint("serial://COM17")


def test_serial_defaults_and_the_urls_a_picker_writes() -> None:
    assert DEFAULT_BAUD == 57600
    assert serial_url("/dev/ttyUSB0") == "serial:///dev/ttyUSB0?baud=57600"
    assert serial_url("COM3", 115200) == "serial://COM3?baud=115200"
    assert serial_url("/dev/serial/by-id/usb-SiK radio") == "serial:///dev/serial/by-id/usb-SiK%20radio?baud=57600"
    for device in ("/dev/ttyUSB0", "COM3", "/dev/serial/by-id/usb-SiK radio"):
        spec = parse_connection(AdapterKind.MAVLINK, serial_url(device))
        assert spec.endpoint_key == f"serial:{device}"
        assert spec.options["baud"] == "57600"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("serial://dev/ttyUSB0", "three slashes, as serial:///dev/ttyUSB0"),
        ("serial://radio?baud=57600", "or a Windows port, as serial://COM3"),
        ("serial://COM3/extra", "three slashes"),
        ("serial://COM0", "three slashes"),
        ("serial:///", "names a device"),
        ("serial:///dev/ttyUSB0?baud=0", "baud must be a whole number of bits per second, such as 57600"),
        ("serial://COM3?baud=-9600", "got '-9600'"),
        ("serial://COM3?baud=57k6", "baud must be a whole number"),
    ],
)
def test_bad_serial_urls_say_what_to_write_instead(url: str, words: str) -> None:
    with pytest.raises(InvalidError) as info:
        parse_connection(AdapterKind.MAVLINK, url)
    assert info.value.field == "connection.url"
    assert words in info.value.message


def test_serial_device_names_the_os_opens() -> None:
    assert serial_device_name("/com3") == "COM3"
    assert serial_device_name("COM10") == "COM10"
    assert serial_device_name("/dev/ttyACM0") == "/dev/ttyACM0"
    assert serial_device_name("/dev/COM3x") == "/dev/COM3x"


def test_a_port_is_labelled_with_what_tells_it_apart() -> None:
    radio = SerialPortInfo("COM3", "CP2102 USB to UART", manufacturer="Silicon Labs", vid=0x10C4, pid=0xEA60)
    assert radio.usb_id == "10C4:EA60"
    assert radio.label == "COM3: CP2102 USB to UART (10C4:EA60, Silicon Labs)"
    builtin = SerialPortInfo("/dev/ttyS0")
    assert builtin.usb_id is None
    assert builtin.label == "/dev/ttyS0"
    assert SerialPortInfo("/dev/ttyACM0", "/dev/ttyACM0", vid=0x1209, pid=0x5741).label == "/dev/ttyACM0: (1209:5741)"
