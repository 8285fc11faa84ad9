"""Web Mercator, the projection of every XYZ and MBTiles raster: degrees to world pixels and back.

"World pixels" at zoom ``z`` span ``256 * 2**z`` on each side, so a tile is 256 of them and a screen pixel
is one of them when the map is drawn at an integer zoom.
"""

from __future__ import annotations

import math

TILE = 256
MAX_LAT = 85.05112878
EARTH_CIRCUMFERENCE_M = 40_075_016.686
NICE_STEPS = (1, 2, 5)


def world_size(zoom: float) -> float:
    return float(TILE * 2.0**zoom)


def to_world(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    size = world_size(zoom)
    x = (lon + 180.0) / 360.0 * size
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * size
    return x, y


def from_world(x: float, y: float, zoom: float) -> tuple[float, float]:
    size = world_size(zoom)
    lon = x / size * 360.0 - 180.0
    n = math.pi - 2 * math.pi * y / size
    lat = math.degrees(math.atan(math.sinh(n)))
    return lat, lon


def metres_per_pixel(lat: float, zoom: float) -> float:
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(lat)) / world_size(zoom)


def nice_distance(max_m: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above ``max_m`` (scale bars and grid spacing)."""
    if max_m <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(max_m))
    best = power
    for step in NICE_STEPS:
        if step * power <= max_m:
            best = step * power
    return best


def format_distance(metres: float, *, imperial: bool = False) -> str:
    if imperial:
        feet = metres * 3.28084
        return f"{feet / 5280:g} mi" if feet >= 5280 else f"{feet:.0f} ft"
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def zoom_to_fit(lat_span: float, lon_span: float, width: int, height: int, lat: float) -> int:
    """The highest integer zoom at which a box of these spans (degrees) fits in ``width`` x ``height``."""
    for zoom in range(19, 1, -1):
        x0, y0 = to_world(lat - lat_span / 2, 0.0, zoom)
        x1, y1 = to_world(lat + lat_span / 2, lon_span, zoom)
        if abs(x1 - x0) <= width and abs(y1 - y0) <= height:
            return zoom
    return 2
