"""The map: vehicles, trails and home points over a plain grid or raster tiles (MBTiles or XYZ, cached)."""
