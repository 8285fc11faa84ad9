"""The behaviour: session lifecycle, telemetry hub, video registry, commands, audit and the event bus.

Runs on one asyncio loop, imports only the domain, and reaches storage and adapters through the
Protocols in ``groundstation.domain.ports``.
"""
