"""A small real HTTP server for tests and demos, serving an in-memory site map.

    with SiteServer(pages) as srv:
        urllib.request.urlopen(srv.base_url + "/news/index.html")
        srv.requests   # [(method, path_with_query, headers), ...]

`pages` is either a mapping {path_with_query: Page | callable} or a callable. Lookup order for a
request to `/a/1.html?x=1`: the exact key "/a/1.html?x=1", then "/a/1.html"; anything else is a
404. A callable (the whole map, or one value in it) is called with the request's path-with-query
and returns a Page, or None for a 404.

Standard library only (`http.server.ThreadingHTTPServer` in a daemon thread, port chosen by the
OS on 127.0.0.1). Nothing is logged to stderr.
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping, Union
from urllib.parse import urlsplit

__all__ = ["Page", "SiteServer", "PageMap", "NOT_FOUND"]


@dataclass(frozen=True)
class Page:
    """One HTTP response. `headers` are sent as given; Content-Length is always computed;
    Content-Type defaults to `text/html; charset=utf-8` when absent. `delay` (seconds) is slept
    before answering (for timeout/politeness tests)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def html(cls, text: str, status: int = 200, charset: str = "utf-8",
             encoding: str | None = None, headers: dict[str, str] | None = None) -> "Page":
        """An HTML page: `text` encoded with `encoding` (default: `charset`), header
        `Content-Type: text/html; charset=<charset>`."""
        h = {"Content-Type": f"text/html; charset={charset}"}
        h.update(headers or {})
        return cls(status, text.encode(encoding or charset), h)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> "Page":
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type})

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> "Page":
        return cls(status, b"", {"Location": location, "Content-Type": "text/html; charset=utf-8"})


PageSource = Union[Page, Callable[[str], "Page | None"]]
PageMap = Union[Mapping[str, PageSource], Callable[[str], "Page | None"]]

NOT_FOUND = Page.html(
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404 页面不存在</title></head>"
    "<body><h1>404</h1><p>您访问的页面不存在或已被删除。</p><p><a href=\"/\">返回首页</a></p></body></html>",
    status=404,
)


def resolve(pages: PageMap, path_with_query: str) -> Page:
    """The Page the site map gives for a path-with-query (404 page when none)."""
    if callable(pages) and not isinstance(pages, Mapping):
        page = pages(path_with_query)
        return page if page is not None else NOT_FOUND
    candidates = [path_with_query]
    path = urlsplit(path_with_query).path or "/"
    if path != path_with_query:
        candidates.append(path)
    for key in candidates:
        if key in pages:
            value = pages[key]
            page = value(path_with_query) if callable(value) else value
            return page if page is not None else NOT_FOUND
    return NOT_FOUND


class _Handler(BaseHTTPRequestHandler):
    server_version = "parknews-demo/1.0"
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are dropped after this

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.server.owner._track(self.connection, add=True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def _serve(self, send_body: bool) -> None:
        owner: SiteServer = self.server.owner
        target = self.path
        # An absolute-form target (proxy style) is reduced to its path and query.
        if not target.startswith("/"):
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        owner._log(self.command, target, dict(self.headers.items()))
        try:
            page = resolve(owner.pages, target)
        except Exception as exc:  # a buggy callable must not kill the connection silently
            page = Page.text(f"demo server error: {exc!r}", status=500)
        if page.delay:
            time.sleep(page.delay)
        self.send_response(page.status)
        names = {k.lower() for k in page.headers}
        for k, v in page.headers.items():
            if k.lower() != "content-length":
                self.send_header(k, v)
        if "content-type" not in names:
            self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page.body)))
        # Headers and body in one write: two small writes on a keep-alive connection meet Nagle
        # and delayed ACK (about 40 ms per response).
        self._headers_buffer.append(b"\r\n")
        if send_body and page.body:
            self._headers_buffer.append(page.body)
        self.flush_headers()

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve(send_body=True)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # quiet: client hang-ups are normal
        pass


class SiteServer:
    """Serves `pages` (see module doc) on http://127.0.0.1:<free port> in a background thread.

    Use as a context manager or call start()/stop(). `pages` may be replaced while running
    (`srv.pages = new_map`); the next request sees the new map. `requests` is a snapshot list of
    (method, path_with_query, headers) in arrival order; `clear_requests()` empties the log."""

    def __init__(self, pages: PageMap | None = None, host: str = "127.0.0.1", port: int = 0):
        self.pages: PageMap = pages if pages is not None else {}
        self.host = host
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str, dict[str, str]]] = []
        self._conns: set[socket.socket] = set()
        self._stopped = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "SiteServer":
        if self._httpd is not None:
            return self
        if self._stopped:
            raise RuntimeError("a stopped SiteServer cannot be restarted; make a new one")
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"SiteServer:{self._port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket and open connections. Idempotent."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            self._stopped = True
            conns = list(self._conns)
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    def url(self, path_with_query: str = "/") -> str:
        if not path_with_query.startswith("/"):
            path_with_query = "/" + path_with_query
        return self.base_url + path_with_query

    @property
    def running(self) -> bool:
        return self._httpd is not None

    # -- request log -----------------------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def requested_paths(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.requests if method is None or m == method]

    def _log(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((method, path, headers))

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)
