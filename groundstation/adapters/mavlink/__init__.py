"""The MAVLink adapter: ArduPilot and PX4 vehicles over UDP, TCP, serial, and tlog replay.

pymavlink is the codec only (``parse_buffer`` and the message classes); every byte of I/O is asyncio (or a
thread handing bytes to the loop, for serial).
"""

from groundstation.adapters.mavlink.adapter import MavlinkAdapter
from groundstation.adapters.mavlink.link import MavlinkLink
from groundstation.adapters.mavlink.replay import ReplayResult
from groundstation.adapters.mavlink.stats import LinkStats

__all__ = ["LinkStats", "MavlinkAdapter", "MavlinkLink", "ReplayResult"]
