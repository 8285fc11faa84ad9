"""Video decoding with OpenCV: one worker thread per stream, a latest-frame slot, measured QoS, reconnects."""

from groundstation.adapters.video.factory import OpenCvVideoSourceFactory
from groundstation.adapters.video.worker import OpenCvVideoWorker

__all__ = ["OpenCvVideoSourceFactory", "OpenCvVideoWorker"]
