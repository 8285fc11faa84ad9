from __future__ import annotations

import numpy as np
import pytest

from groundstation.adapters.video.downscale import downscale


@pytest.mark.parametrize("size", [(126, 71), (300, 169), (440, 248), (640, 360), (1000, 563), (1920, 1080)])
def test_any_tile_size_is_produced_exactly(size: tuple[int, int]) -> None:
    image = np.zeros((720, 1280, 3), dtype=np.uint8)
    assert downscale(image, size).shape == (size[1], size[0], 3)


def test_shrinking_keeps_the_picture_not_just_the_size() -> None:
    """A horizontal ramp stays a ramp (no wrap-around, no shift) and flat colour stays flat."""
    ramp = np.tile(np.linspace(0, 255, 1280, dtype=np.float32), (720, 1)).astype(np.uint8)
    image = np.dstack([ramp, ramp, np.full_like(ramp, 77)])
    small = downscale(image, (300, 169))
    row = small[84, :, 0].astype(int)
    assert row[0] < 5
    assert row[-1] > 250
    assert np.all(np.diff(row) >= 0)
    assert abs(float(small[:, :, 0].mean()) - float(image[:, :, 0].mean())) < 2
    assert np.all(small[:, :, 2] == 77)


def test_fine_detail_is_averaged_not_aliased() -> None:
    """A one-pixel checkerboard must come out mid-grey, not as moire stripes."""
    board = (np.indices((720, 1280)).sum(axis=0) % 2 * 255).astype(np.uint8)
    small = downscale(np.dstack([board] * 3), (126, 71))
    assert abs(float(small.mean()) - 127.5) < 3
    assert float(small.std()) < 3
