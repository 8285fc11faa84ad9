"""The optional embedded HTTP API (FastAPI on uvicorn). Only this package imports fastapi/starlette/uvicorn.

It sees services only, through the shapes in ``context``; ``ApiServer`` runs it on the caller's loop.
"""

from groundstation.api.app import create_app
from groundstation.api.server import ApiServer

__all__ = ["ApiServer", "create_app"]
