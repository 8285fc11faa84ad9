"""The tiled video area: grid, tiles, frames from the decode workers, and the telemetry overlay."""
