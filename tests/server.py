"""A small HTTP server on 127.0.0.1 whose routes tests configure: files, statuses, delays, faults."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    """A canned reply. The fault fields shape how the body goes out on the wire.

    chunked: Transfer-Encoding chunked, no Content-Length (the client cannot know the size).
    trickle: seconds to wait before each `piece` bytes of the body.
    reset_after: announce the whole body, send this many bytes, then reset the connection.
    drip_headers: seconds to wait before each byte of the status line and headers.
    """

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False
    trickle: float = 0.0
    piece: int = 1
    reset_after: int | None = None
    drip_headers: float = 0.0


class FaultServer:
    """Serves a folder's files plus any routes a test adds; counts requests per path."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        # Replies served in order before `routes` applies: e.g. a 503 first, then a 200.
        self.queues: dict[str, list[Route]] = {}
        self.times: dict[str, list[float]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                server.requests.append((self.path, dict(self.headers)))
                server.times.setdefault(self.path, []).append(time.monotonic())
                queued = server.queues.get(self.path)
                route = queued.pop(0) if queued else server.route(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.drip_headers:
                    self._drip(route)
                    return
                etag = route.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send_body(route)

            def _drip(self, route: Route) -> None:
                head = f"HTTP/1.1 {route.status} OK\r\nContent-Length: {len(route.body)}\r\n"
                head += "X-Padding: " + "." * 400 + "\r\n\r\n"
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for byte in head.encode():
                        time.sleep(route.drip_headers)
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    self.wfile.write(route.body)

            def _send_body(self, route: Route) -> None:
                body = route.body if route.reset_after is None else route.body[: route.reset_after]
                step = route.piece if route.trickle else max(len(body), 1)
                for start in range(0, len(body), step):
                    if route.trickle:
                        time.sleep(route.trickle)
                    piece = body[start : start + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if route.chunked else piece)
                    self.wfile.flush()
                if route.reset_after is not None:
                    # SO_LINGER with a zero timeout makes close() send a TCP reset.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                elif route.chunked:
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        if self.root is not None:
            file = (self.root / path.lstrip("/")).resolve()
            if file.is_file() and self.root.resolve() in file.parents:
                kind = "application/rss+xml" if file.suffix == ".xml" else "text/html; charset=utf-8"
                return Route(
                    file.read_bytes(),
                    headers={"Content-Type": kind, "ETag": f'"{file.stat().st_mtime_ns}"'},
                )
        return None

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
