"""An MJPEG-over-HTTP camera for the video tests: ``python mjpeg_server.py PORT WxH``.

``/stream.mjpg`` serves multipart JPEG frames at 30 fps to any number of clients, ``/private.mjpg`` answers
401 and anything else 404, as IP cameras do. It prints ``READY PORT`` once listening. A separate process, so
that a test can kill it like a camera losing power.
"""

from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np

BOUNDARY = "gsframe"


def make_frames(width: int, height: int, count: int = 30) -> list[bytes]:
    frames = []
    for i in range(count):
        image = np.full((height, width, 3), (40, 90, 160), dtype=np.uint8)
        x = int((width - 40) * i / count)
        cv2.rectangle(image, (x, height // 3), (x + 40, height // 3 + 40), (255, 255, 255), -1)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
        assert ok
        frames.append(jpeg.tobytes())
    return frames


class Handler(BaseHTTPRequestHandler):
    frames: list[bytes] = []

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/private.mjpg":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="camera"')
            self.end_headers()
            return
        if self.path != "/stream.mjpg":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={BOUNDARY}")
        self.end_headers()
        due = time.monotonic()
        n = 0
        try:
            while True:
                jpeg = self.frames[n % len(self.frames)]
                head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                self.wfile.write(head.encode() + jpeg + b"\r\n")
                n += 1
                due += 1 / 30
                time.sleep(max(due - time.monotonic(), 0))
        except (BrokenPipeError, ConnectionResetError):
            return


def main() -> int:
    port = int(sys.argv[1])
    width, height = (int(v) for v in sys.argv[2].split("x"))
    Handler.frames = make_frames(width, height)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"READY {port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
