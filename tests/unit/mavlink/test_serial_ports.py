"""Serial port discovery and open errors in words: pyserial's port records, its exceptions, ``serial list``."""

from __future__ import annotations

import errno
import json
import subprocess
import sys

import pytest
from serial import SerialException
from serial.tools.list_ports_common import ListPortInfo

from groundstation.adapters.mavlink import serial_link
from groundstation.adapters.mavlink.serial_link import (
    describe_serial_error,
    list_serial_ports,
    open_serial_port,
    serial_port_info,
)
from groundstation.cli.serial_ports import port_lines, port_records
from groundstation.domain.connections import SerialPortInfo


def usb_radio(device: str = "/dev/ttyUSB0") -> ListPortInfo:
    port = ListPortInfo(device, skip_link_detection=True)
    port.description = "CP2102 USB to UART Bridge Controller"
    port.manufacturer = "Silicon Labs"
    port.vid, port.pid = 0x10C4, 0xEA60
    port.serial_number = "0001"
    return port


def test_pyserial_records_become_ports_with_na_as_unknown() -> None:
    radio = serial_port_info(usb_radio())
    assert radio == SerialPortInfo(
        "/dev/ttyUSB0", "CP2102 USB to UART Bridge Controller", "Silicon Labs", 0x10C4, 0xEA60, "0001"
    )
    builtin = serial_port_info(ListPortInfo("/dev/ttyS0", skip_link_detection=True))  # description "n/a"
    assert builtin == SerialPortInfo("/dev/ttyS0")


def test_ports_are_listed_in_natural_order(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [usb_radio(d) for d in ("COM10", "COM2", "/dev/ttyUSB1", "COM1")]
    monkeypatch.setattr(serial_link.list_ports, "comports", lambda: found)
    assert [p.device for p in list_serial_ports()] == ["/dev/ttyUSB1", "COM1", "COM2", "COM10"]


def test_the_cli_formats_ports_with_their_session_urls() -> None:
    ports = [serial_port_info(usb_radio("COM3")), SerialPortInfo("/dev/ttyS0")]
    records = port_records(ports)
    assert records[0] == {
        "device": "COM3",
        "description": "CP2102 USB to UART Bridge Controller",
        "usb_id": "10C4:EA60",
        "vid": 0x10C4,
        "pid": 0xEA60,
        "manufacturer": "Silicon Labs",
        "serial_number": "0001",
        "url": "serial://COM3?baud=57600",
    }
    assert records[1]["description"] is None and records[1]["url"] == "serial:///dev/ttyS0?baud=57600"
    first, second = port_lines(ports)
    assert first.split("  ")[0] == "COM3" and "10C4:EA60" in first and first.endswith("serial://COM3?baud=57600")
    assert second.startswith("/dev/ttyS0") and " - " in second
    assert first.index("serial://") == second.index("serial://")  # columns line up


def test_serial_list_json_runs_and_prints_a_json_array() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "groundstation", "serial", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert isinstance(listed, list)
    assert all(set(p) >= {"device", "usb_id", "url"} and p["url"].startswith("serial://") for p in listed)


def test_a_missing_device_is_named_in_the_error() -> None:
    with pytest.raises(FileNotFoundError) as info:
        open_serial_port("/dev/does-not-exist", 57600)
    assert info.value.strerror.startswith("no serial port /dev/does-not-exist: the radio or cable is not plugged in")


@pytest.mark.parametrize(
    ("raised", "kind", "words"),
    [
        # Linux and macOS: pyserial keeps the errno
        (SerialException(errno.EACCES, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied"),
         PermissionError, "no permission to open /dev/ttyUSB0 (on Linux, add your user to the dialout group"),
        (SerialException(errno.EBUSY, "could not open port /dev/ttyUSB0: [Errno 16] Device or resource busy"),
         OSError, "/dev/ttyUSB0 is in use by another program"),
        (SerialException(errno.EAGAIN, "Could not exclusively lock port /dev/ttyUSB0: [Errno 11] Resource"),
         OSError, "/dev/ttyUSB0 is in use by another program"),
        # Windows: no errno, only the repr of the Windows error
        (SerialException("could not open port 'COM3': FileNotFoundError(2, 'The system cannot find the file "
                         "specified.', None, 2)"), FileNotFoundError, "no serial port COM3"),
        (SerialException("could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)"),
         PermissionError, "COM3 is in use by another program"),
        (SerialException("Cannot configure port, something went wrong. Original message: OSError(22, "
                         "'The parameter is incorrect.', None, 87)"), OSError, "COM3 cannot be set up"),
    ],
)  # fmt: skip
def test_open_errors_are_sentences_naming_the_device(raised: OSError, kind: type[OSError], words: str) -> None:
    device = "COM3" if "COM3" in str(raised) or "Cannot configure" in str(raised) else "/dev/ttyUSB0"
    described = describe_serial_error(device, raised)
    assert type(described) is kind
    assert described.strerror is not None and described.strerror.startswith(words)
