"""The parts of a simulated vehicle that only age with time: battery, GPS receiver, radio link, wind.

Each model draws from its own ``random.Random`` (seeded from the vehicle's seed and the model's name), so
adding a draw to one model never shifts the numbers another one produces: a recorded scenario stays
comparable after a change to, say, the wind.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right

from groundstation.domain.telemetry import GpsFix

# Resting voltage of one LiPo cell by state of charge (percent), the usual discharge curve: flat in the
# middle, steep at both ends, so a ground station's voltage readout behaves like a real pack's.
_CELL_CURVE_PCT = (0.0, 5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 100.0)
_CELL_CURVE_V = (3.30, 3.55, 3.65, 3.72, 3.80, 3.87, 4.00, 4.20)
_PACK_RESISTANCE_OHM = 0.012


def model_rng(seed: int, name: str) -> random.Random:
    """A generator for one model of one vehicle; string seeds hash the same on every run and platform."""
    return random.Random(f"{seed}:{name}")


class Battery:
    """A LiPo pack whose charge falls with the current drawn and whose voltage sags under load."""

    def __init__(self, rng: random.Random, *, capacity_mah: float, cells: int = 4) -> None:
        self._rng = rng
        self.capacity_mah = capacity_mah
        self.cells = cells
        self.pct = 100.0
        self.current_a = 0.0

    def step(self, dt: float, load_a: float) -> None:
        self.current_a = max(0.0, load_a * (1.0 + self._rng.gauss(0.0, 0.02))) if load_a > 0 else 0.0
        used_mah = self.current_a * dt * 1000.0 / 3600.0
        self.pct = max(0.0, self.pct - used_mah / self.capacity_mah * 100.0)

    def drop_to(self, pct: float) -> None:
        """A fault: the pack reads ``pct`` from now on (a bad cell, a pack that was never charged)."""
        self.pct = min(self.pct, pct)

    @property
    def voltage(self) -> float:
        i = min(bisect_right(_CELL_CURVE_PCT, self.pct), len(_CELL_CURVE_PCT) - 1)
        lo_p, hi_p = _CELL_CURVE_PCT[i - 1], _CELL_CURVE_PCT[i]
        lo_v, hi_v = _CELL_CURVE_V[i - 1], _CELL_CURVE_V[i]
        cell = lo_v + (hi_v - lo_v) * (self.pct - lo_p) / (hi_p - lo_p)
        return cell * self.cells - self.current_a * _PACK_RESISTANCE_OHM


class GpsReceiver:
    """Fix, satellites, hdop and a slowly wandering position error, as a u-blox on a multirotor shows them.

    It needs ``warmup_s`` after boot to get its first fix (so arming right at connect is refused, as on a
    real vehicle), and a ``gps_loss`` fault blanks it out for a while.
    """

    def __init__(self, rng: random.Random, *, warmup_s: float) -> None:
        self._rng = rng
        self._warmup_s = warmup_s
        self._age_s = 0.0
        self._base_sats = rng.randint(12, 17)
        self._sats_offset = 0
        self.lost_remaining_s = 0.0
        self.fix = GpsFix.NO_FIX
        self.satellites = 0
        self.hdop = 99.99
        self.error_east_m = 0.0
        self.error_north_m = 0.0
        self.error_up_m = 0.0

    @property
    def has_position(self) -> bool:
        return self.fix >= GpsFix.FIX_3D

    def lose(self, duration_s: float) -> None:
        self.lost_remaining_s = max(self.lost_remaining_s, duration_s)

    def step(self, dt: float) -> None:
        self._age_s += dt
        if self.lost_remaining_s > 0.0:
            self.lost_remaining_s = max(0.0, self.lost_remaining_s - dt)
            self.fix, self.satellites, self.hdop = GpsFix.NO_FIX, 0, 99.99
            return
        if self._age_s < self._warmup_s:
            self.satellites = int(self._base_sats * self._age_s / self._warmup_s * 0.4)
            self.fix, self.hdop = GpsFix.NO_FIX, 99.99
            return
        # A satellite rises or sets every twenty seconds or so.
        if self._rng.random() < dt / 20.0:
            self._sats_offset = max(-4, min(3, self._sats_offset + self._rng.choice((-1, 1))))
        self.satellites = self._base_sats + self._sats_offset
        self.fix = GpsFix.FIX_3D if self.satellites >= 6 else GpsFix.FIX_2D
        self.hdop = round(0.45 + 6.0 / self.satellites + abs(self._rng.gauss(0.0, 0.03)), 2)
        # The error is a slow random walk pulled back to zero: believable wander, never a jitter.
        pull = math.exp(-dt / 30.0)
        sigma = 0.08 * self.hdop * math.sqrt(dt)
        self.error_east_m = self.error_east_m * pull + self._rng.gauss(0.0, sigma)
        self.error_north_m = self.error_north_m * pull + self._rng.gauss(0.0, sigma)
        self.error_up_m = self.error_up_m * pull + self._rng.gauss(0.0, sigma * 0.5)


class RadioLink:
    """Link quality that fades with distance and noise, and a ``link_drop`` fault that silences it."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._wander = 0.0
        self.drop_remaining_s = 0.0
        self.quality_pct = 100.0

    @property
    def up(self) -> bool:
        return self.drop_remaining_s <= 1e-9  # float steps must not leave a silent sliver

    def drop(self, duration_s: float) -> None:
        self.drop_remaining_s = max(self.drop_remaining_s, duration_s)

    def step(self, dt: float, distance_m: float) -> None:
        if self.drop_remaining_s > 0.0:
            self.drop_remaining_s = max(0.0, self.drop_remaining_s - dt)
        self._wander = max(-6.0, min(0.0, self._wander + self._rng.gauss(0.0, 1.5 * math.sqrt(dt))))
        fade = max(0.0, distance_m - 300.0) / 60.0
        self.quality_pct = round(max(20.0, min(100.0, 99.0 + self._wander - fade)), 1)


class Wind:
    """A steady wind with slow gusts; it is what makes ALT_HOLD drift and airspeed differ from groundspeed."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        speed = rng.uniform(1.0, 4.5)
        towards = rng.uniform(0.0, 2.0 * math.pi)
        self._mean = (speed * math.sin(towards), speed * math.cos(towards))
        self._gust = [0.0, 0.0]
        self.east_mps, self.north_mps = self._mean

    def step(self, dt: float) -> None:
        pull = math.exp(-dt / 8.0)
        for i in range(2):
            self._gust[i] = self._gust[i] * pull + self._rng.gauss(0.0, 0.35 * math.sqrt(dt))
        self.east_mps = self._mean[0] + self._gust[0]
        self.north_mps = self._mean[1] + self._gust[1]
