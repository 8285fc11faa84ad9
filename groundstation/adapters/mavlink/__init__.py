"""The MAVLink adapter: ArduPilot and PX4 vehicles over UDP, TCP, serial, and tlog replay.

pymavlink is the codec only (``parse_buffer`` and the message classes); every byte of I/O is asyncio.
"""
