"""A GStreamer RTSP server for the video tests, run as ``/usr/bin/python3 rtsp_server.py PORT WxH``.

It runs under Debian's interpreter because python3-gi binds to it, not to the project's venv. It serves a live
test pattern encoded as H.264 at ``rtsp://127.0.0.1:PORT/stream`` (shared: one encoder for every client, the
way a camera behaves) and prints ``READY PORT`` once the port is bound, so the test waits on that line.
"""

import sys

import gi  # type: ignore[import-not-found]

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402


def main() -> int:
    port, size = sys.argv[1], sys.argv[2]
    width, height = (int(n) for n in size.split("x"))
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    launch = (
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate=30/1 ! "
        "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! "
        "rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_launch(launch)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/stream", factory)
    if server.attach(None) == 0:
        print(f"FAILED to bind port {port}", flush=True)
        return 1
    print(f"READY {port}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
