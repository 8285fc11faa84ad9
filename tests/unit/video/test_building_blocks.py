"""Backoff, the FFmpeg options gate, SDP, codec names, the QoS meter and the synthetic feed."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import cv2
import pytest

from groundstation.adapters.video.backoff import Backoff
from groundstation.adapters.video.captures import OPTIONS_VAR, CaptureOptionsGate, codec_name, write_sdp
from groundstation.adapters.video.qos import QosMeter
from groundstation.adapters.video.source_spec import SyntheticOptions
from groundstation.adapters.video.synthetic import SyntheticCapture
from tests.peers.video.recording_listener import wait_for


def test_backoff_doubles_with_jitter_within_bounds_and_resets() -> None:
    backoff = Backoff(1.0, 10.0)
    delays = [backoff.next_delay() for _ in range(8)]
    assert all(1.0 <= d <= 10.0 for d in delays)
    assert delays[0] <= 1.25 and 1.5 <= delays[1] <= 2.5 and 3.0 <= delays[2] <= 5.0
    assert delays[-1] >= 7.5
    backoff.reset()
    assert backoff.next_delay() <= 1.25


def test_gate_serialises_different_options_and_restores_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OPTIONS_VAR, "original;1")
    gate = CaptureOptionsGate()
    entered = threading.Event()
    seen: list[str | None] = []
    with gate.using("rtsp_transport;tcp"):
        assert os.environ[OPTIONS_VAR] == "rtsp_transport;tcp"

        def other() -> None:
            with gate.using("protocol_whitelist;file,rtp,udp"):
                seen.append(os.environ.get(OPTIONS_VAR))
                entered.set()

        thread = threading.Thread(target=other)
        thread.start()
        with gate.using("rtsp_transport;tcp"):  # the same options may share the gate
            assert not entered.wait(0.1)  # a different one waits for us
        assert os.environ[OPTIONS_VAR] == "rtsp_transport;tcp"
    thread.join(2)
    assert seen == ["protocol_whitelist;file,rtp,udp"]
    assert os.environ[OPTIONS_VAR] == "original;1"
    with gate.using(None):
        assert os.environ[OPTIONS_VAR] == "original;1"


def test_sdp_names_the_port_and_h264(tmp_path: Path) -> None:
    text = write_sdp(tmp_path, 5600).read_text()
    assert "m=video 5600 RTP/AVP 96" in text and "a=rtpmap:96 H264/90000" in text


class _FourCC:
    def __init__(self, code: str) -> None:
        self.value = float(int.from_bytes(code.encode("ascii"), "little"))

    def get(self, prop: int) -> float:
        return self.value


@pytest.mark.parametrize(
    ("code", "name"), [("avc1", "h264"), ("h264", "h264"), ("hvc1", "hevc"), ("MJPG", "mjpeg"), ("", None)]
)
def test_codec_names(code: str, name: str | None) -> None:
    assert codec_name(_FourCC(code)) == name  # type: ignore[arg-type]


def test_qos_meter_rates_and_percentiles() -> None:
    meter = QosMeter()
    for i in range(61):
        meter.on_frame(100.0 + i / 30, pts_s=i / 25)  # arrives at 30 Hz, stamped at 25 Hz
    for age in range(1, 101):
        meter.on_fetch(float(age))
    qos = meter.snapshot(now_mono=102.0)
    assert qos.source_fps == 25.0
    assert qos.decoded_fps is not None and 29.5 < qos.decoded_fps < 30.5
    assert (qos.frame_age_p50_ms, qos.frame_age_p95_ms) == (51.0, 96.0)
    assert meter.snapshot(now_mono=110.0).decoded_fps == 0.0


@pytest.mark.parametrize("pattern", ["ball", "bars", "checker", "gradient", "noise"])
def test_synthetic_frames_are_paced_fresh_arrays(pattern: str) -> None:
    capture = SyntheticCapture(SyntheticOptions(160, 90, 60, pattern), threading.Event())
    frames = [capture.read()[1] for _ in range(3)]
    assert all(f.shape == (90, 160, 3) for f in frames)
    assert frames[0] is not frames[1] and not (frames[0] == frames[2]).all()  # counter and time change
    assert capture.get(cv2.CAP_PROP_POS_MSEC) == pytest.approx(2000 / 60)


def test_synthetic_read_returns_at_once_when_stopped() -> None:
    stop = threading.Event()
    capture = SyntheticCapture(SyntheticOptions(64, 64, 1, "ball"), stop)
    assert capture.read()[0]
    done = threading.Event()

    def read_then_flag() -> None:
        capture.read()
        done.set()

    threading.Thread(target=read_then_flag).start()
    stop.set()
    wait_for(done.is_set, within=0.5)
