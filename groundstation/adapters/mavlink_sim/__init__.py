"""FAKE vehicles speaking MAVLink as ArduCopter: ``groundstation sim mavlink`` and the tests' autopilots.

Other ground stations (QGroundControl, Mission Planner, MAVProxy) and our own MAVLink adapter connect to it
as to a fleet of real copters behind a router; the flight itself is the FAKE model's.
"""

from groundstation.adapters.mavlink_sim.simulator import FleetMember, MavlinkSimulator, SimOptions, build_fleet
from groundstation.adapters.mavlink_sim.transport import TcpListen, Transport, UdpOut
from groundstation.adapters.mavlink_sim.vehicle import MavVehicle

__all__ = [
    "FleetMember",
    "MavVehicle",
    "MavlinkSimulator",
    "SimOptions",
    "TcpListen",
    "Transport",
    "UdpOut",
    "build_fleet",
]
