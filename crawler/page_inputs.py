"""The pages `parknews parse` reads: saved files, folders of them, stdin (`-`), or a URL
fetched once.

A URL is fetched the way a crawl would fetch it, once: the crawl's User-Agent (with its
contact), robots.txt obeyed (RFC 9309: a missing robots.txt allows everything, one that cannot
be fetched or answers 5xx allows nothing), the download timeout as a limit on the whole fetch,
the download size cap, at most 5 redirects, only http and https, and no loopback, private or
link-local address (before each hop, robots.txt included) unless `allow_private`. Like a
crawl's check, the address is resolved before the request; a DNS answer that changes between
the check and the connection is not caught.

Every failure is a `PageInputError`: one line naming the file, folder or URL, with the exit code
the command should use (1: the page could not be fetched; 2: a file that cannot be read, or a
usage or configuration problem).
"""
from __future__ import annotations

import ipaddress
import socket
import sys
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

__all__ = ["PAGE_SUFFIXES", "Page", "PageInputError", "Source", "fetch", "is_url", "load", "sources"]

# Files taken from a folder: saved web pages (a file named on the command line is read whatever
# its name).
PAGE_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".php", ".asp", ".aspx", ".jsp")
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


class PageInputError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Source:
    kind: str   # "file", "stdin", "url", or "error" (an input that names no page)
    name: str   # what messages name: the path, "-", the URL
    error: str = ""


@dataclass
class Page:
    name: str
    url: str                      # the page's URL (a file's own file: URI when none is given)
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None   # when a URL was fetched


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def sources(inputs: list[str]) -> list[Source]:
    """The pages named by the command line's inputs, in order: a folder gives its page files
    (recursively, sorted, hidden ones left out), or one error when it holds none."""
    out: list[Source] = []
    for value in inputs:
        if value == "-":
            out.append(Source("stdin", "-"))
        elif is_url(value):
            out.append(Source("url", value))
        elif "://" in value:
            out.append(Source("error", value, f"{value}: only http and https URLs can be fetched"))
        elif Path(value).is_dir():
            folder = Path(value)
            files = sorted(p for p in folder.rglob("*")
                           if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(folder).parts))
            if not files:
                out.append(Source("error", value, f"{folder}: no saved pages in this folder "
                                                  f"({', '.join(PAGE_SUFFIXES)})"))
            out.extend(Source("file", str(p)) for p in files)
        else:
            out.append(Source("file", value))
    return out


def load(source: Source, *, stdin: BinaryIO | None = None, **fetch_options) -> Page:
    """The bytes of one source (see `fetch` for the options of a URL)."""
    if source.kind == "error":
        raise PageInputError(source.error, 2)
    if source.kind == "stdin":
        stream = stdin or sys.stdin.buffer
        return Page("-", Path("/dev/stdin").as_uri(), stream.read())
    if source.kind == "url":
        return fetch(source.name, **fetch_options)
    path = Path(source.name)
    try:
        body = path.read_bytes()
    except IsADirectoryError:
        raise PageInputError(f"{path}: is a folder", 2) from None
    except OSError as exc:
        raise PageInputError(f"{path}: cannot read ({exc.strerror or exc})", 2) from None
    return Page(str(path), path.resolve().as_uri(), body)


# ------------------------------------------------------------------------- fetching a URL

class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # each hop is checked by `fetch` itself
        return None


@dataclass
class _Fetcher:
    user_agent: str
    timeout: float
    max_size: int
    allow_private: bool
    deadline: float = 0.0
    robots: dict[str, RobotFileParser | str] = field(default_factory=dict)

    def __post_init__(self):
        self.deadline = time.monotonic() + self.timeout
        self.opener = urllib.request.build_opener(_NoRedirects())

    def check_target(self, url: str, name: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PageInputError(f"{name}: {url} is not an http(s) URL", 1 if url != name else 2)
        if self.allow_private:
            return
        from crawler.politeness import _non_public

        host = parts.hostname
        try:
            addrs = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                           type=socket.SOCK_STREAM)
            except OSError as exc:
                raise PageInputError(f"{name}: cannot resolve {host} ({exc.strerror or exc})", 1) from None
            addrs = sorted({info[4][0] for info in infos})
        for addr in addrs:
            why = _non_public(ipaddress.ip_address(addr.split("%", 1)[0]))
            if why:
                raise PageInputError(f"{name}: {host} is a {why} address ({addr}); "
                                     "pass --allow-private to fetch a local test site", 2)

    def get(self, url: str, name: str) -> tuple[int, dict[str, str], bytes]:
        """One request, no redirect followed: (status, lower-case headers, body)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise PageInputError(f"{name}: timed out after {self.timeout:g} s", 1)
        request = urllib.request.Request(url, headers={
            "User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate"})
        try:
            try:
                response = self.opener.open(request, timeout=left)
            except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx: still a response
                response = exc
            with response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                body = self._read(response, headers, name)
                return response.getcode(), headers, body
        except PageInputError:
            raise
        except (socket.timeout, TimeoutError):
            raise PageInputError(f"{name}: timed out after {self.timeout:g} s", 1) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise PageInputError(f"{name}: timed out after {self.timeout:g} s", 1) from None
            raise PageInputError(f"{name}: cannot fetch {url} ({getattr(reason, 'strerror', None) or reason})", 1) from None
        except (OSError, ValueError) as exc:  # connection reset, bad status line, ...
            raise PageInputError(f"{name}: cannot fetch {url} ({exc})", 1) from None

    def _read(self, response, headers: dict[str, str], name: str) -> bytes:
        encoding = headers.get("content-encoding", "").strip().lower()
        inflate = None
        if encoding in ("gzip", "x-gzip"):
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflate = zlib.decompressobj()
        chunks, size = [], 0
        while True:
            if time.monotonic() > self.deadline:
                raise PageInputError(f"{name}: timed out after {self.timeout:g} s", 1)
            chunk = response.read(65536)
            if not chunk:
                if inflate is not None:
                    chunks.append(inflate.flush())
                    size += len(chunks[-1])
                break
            if inflate is not None:
                chunk = inflate.decompress(chunk, self.max_size + 1 - size)
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_size:
                raise PageInputError(f"{name}: larger than {self.max_size} bytes (DOWNLOAD_MAXSIZE)", 1)
        if size > self.max_size:
            raise PageInputError(f"{name}: larger than {self.max_size} bytes (DOWNLOAD_MAXSIZE)", 1)
        return b"".join(chunks)

    def allowed(self, url: str, name: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = self._robots(origin, name)
        rules = self.robots[origin]
        if isinstance(rules, str):
            raise PageInputError(f"{name}: {origin}/robots.txt could not be fetched ({rules}); "
                                 "a site whose robots.txt is unreachable is not fetched", 1)
        return rules.can_fetch(self.user_agent, url)

    def _robots(self, origin: str, name: str) -> RobotFileParser | str:
        url = origin + "/robots.txt"
        for _ in range(MAX_REDIRECTS + 1):
            self.check_target(url, name)
            try:
                status, headers, body = self.get(url, name)
            except PageInputError as exc:
                if exc.code == 2:
                    raise
                return str(exc).split(": ", 1)[-1]
            if status in _REDIRECTS and headers.get("location"):
                url = urljoin(url, headers["location"])
                continue
            rules = RobotFileParser(url)
            if 200 <= status < 300:
                rules.parse(body.decode("utf-8", "replace").splitlines())
            elif 400 <= status < 500:
                rules.parse([])  # no robots.txt: everything allowed
            else:
                return f"HTTP {status}"
            return rules
        return "too many redirects"


def fetch(url: str, *, user_agent: str, timeout: float, max_size: int, allow_private: bool = False) -> Page:
    """Fetch one page politely (see the module doc); the Page's url is the final URL."""
    fetcher = _Fetcher(user_agent=user_agent, timeout=timeout, max_size=max_size, allow_private=allow_private)
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        fetcher.check_target(current, url)
        if not fetcher.allowed(current, url):
            raise PageInputError(f"{url}: {current} is disallowed by the site's robots.txt", 1)
        status, headers, body = fetcher.get(current, url)
        fetched_at = datetime.now(timezone.utc)
        if status in _REDIRECTS and headers.get("location"):
            current = urljoin(current, headers["location"])
            continue
        if not 200 <= status < 300:
            raise PageInputError(f"{url}: HTTP {status}" + (f" at {current}" if current != url else ""), 1)
        # the body is decoded already: the headers describe it as the parser gets it
        kept = {k: v for k, v in headers.items() if k not in ("content-encoding", "content-length", "transfer-encoding")}
        return Page(url, current, body, kept, fetched_at)
    raise PageInputError(f"{url}: more than {MAX_REDIRECTS} redirects", 1)
