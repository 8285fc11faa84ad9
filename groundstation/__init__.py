"""groundstation: a desktop ground station for drone fleets."""

__version__ = "0.1.0"
