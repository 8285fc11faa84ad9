"""A flat-earth local frame around a vehicle's home.

A simulated multirotor never flies more than a few kilometres from home, where an equirectangular
projection is off by centimetres; that keeps the physics in metres (east, north, up) and converts to
degrees only when a sample or a command crosses the boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_378_137.0


@dataclass(frozen=True, slots=True)
class Home:
    """Where a vehicle boots: its EKF origin, its RTL target, the zero of ``alt_rel_m``."""

    lat_deg: float
    lon_deg: float
    alt_msl_m: float


@dataclass(frozen=True, slots=True)
class LocalFrame:
    home: Home

    def to_local(self, lat_deg: float, lon_deg: float) -> tuple[float, float]:
        """(east, north) in metres from home."""
        north = math.radians(lat_deg - self.home.lat_deg) * EARTH_RADIUS_M
        east = math.radians(lon_deg - self.home.lon_deg) * EARTH_RADIUS_M * math.cos(math.radians(self.home.lat_deg))
        return east, north

    def to_geo(self, east_m: float, north_m: float) -> tuple[float, float]:
        """(lat, lon) in degrees of a point ``east_m``/``north_m`` metres from home."""
        lat = self.home.lat_deg + math.degrees(north_m / EARTH_RADIUS_M)
        lon = self.home.lon_deg + math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(self.home.lat_deg))))
        return lat, lon


def wrap_180(angle_deg: float) -> float:
    """An angle in (-180, 180], the form differences between headings need."""
    wrapped = (angle_deg + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 else wrapped


def course_deg(east: float, north: float) -> float:
    """Compass bearing (0 = north, clockwise) of a horizontal vector."""
    return math.degrees(math.atan2(east, north)) % 360.0
