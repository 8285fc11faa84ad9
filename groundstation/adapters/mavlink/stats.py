"""Link statistics: rates, bad frames, packet loss from sequence gaps, radio RSSI.

Loss is counted from each sender's own sequence numbers (per system and component), so interleaved
senders on one link never look like gaps. Rates come from snapshots taken once a second, so reading them
costs nothing on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkStats:
    messages_in: int
    messages_out: int
    bytes_in: int
    bytes_out: int
    bad_frames: int
    lost_packets: int
    packet_loss_pct: float
    messages_in_per_s: float
    messages_out_per_s: float
    rssi_pct: float | None
    remote_rssi_pct: float | None
    dropped_out: int


# A jump this large in a sender's sequence is a restart or a second sender with the same ids, not loss.
_MAX_PLAUSIBLE_GAP = 128


class LinkCounters:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.messages_in = 0
        self.messages_out = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.lost = 0
        self.dropped_out = 0
        self.rssi_pct: float | None = None
        self.remote_rssi_pct: float | None = None
        self._last_seq: dict[tuple[int, int], int] = {}
        self._snap: tuple[float, int, int, int] | None = None
        self._rate_in = 0.0
        self._rate_out = 0.0
        self._recent_loss_pct: float | None = None

    def received(self, src: tuple[int, int], seq: int) -> None:
        self.messages_in += 1
        last = self._last_seq.get(src)
        self._last_seq[src] = seq
        if last is not None:
            gap = (seq - last - 1) & 0xFF
            if 0 < gap < _MAX_PLAUSIBLE_GAP:
                self.lost += gap

    def sent(self, nbytes: int) -> None:
        self.messages_out += 1
        self.bytes_out += nbytes

    def radio(self, rssi: int, remrssi: int) -> None:
        # SiK radios report RSSI on a 0..254 scale; 255 means unknown.
        self.rssi_pct = None if rssi == 255 else round(rssi * 100 / 254, 1)
        self.remote_rssi_pct = None if remrssi == 255 else round(remrssi * 100 / 254, 1)

    def tick(self) -> None:
        """Take the once-a-second snapshot the rates and the recent loss are computed from."""
        now = self._clock()
        snap = (now, self.messages_in, self.messages_out, self.lost)
        if self._snap is not None:
            dt = now - self._snap[0]
            if dt > 0:
                got = self.messages_in - self._snap[1]
                lost = self.lost - self._snap[3]
                self._rate_in = got / dt
                self._rate_out = (self.messages_out - self._snap[2]) / dt
                self._recent_loss_pct = 100.0 * lost / (got + lost) if got + lost else None
        self._snap = snap

    @property
    def recent_loss_pct(self) -> float | None:
        return self._recent_loss_pct

    def link_quality_pct(self) -> float | None:
        """What an operator reads as link quality: the radio's RSSI when there is a radio, else how much
        of the recent traffic arrived."""
        if self.rssi_pct is not None:
            return self.rssi_pct
        if self._recent_loss_pct is not None:
            return round(100.0 - self._recent_loss_pct, 1)
        return None

    def snapshot(self, bad_frames: int) -> LinkStats:
        total = self.messages_in + self.lost
        return LinkStats(
            messages_in=self.messages_in,
            messages_out=self.messages_out,
            bytes_in=self.bytes_in,
            bytes_out=self.bytes_out,
            bad_frames=bad_frames,
            lost_packets=self.lost,
            packet_loss_pct=round(100.0 * self.lost / total, 2) if total else 0.0,
            messages_in_per_s=round(self._rate_in, 1),
            messages_out_per_s=round(self._rate_out, 1),
            rssi_pct=self.rssi_pct,
            remote_rssi_pct=self.remote_rssi_pct,
            dropped_out=self.dropped_out,
        )
