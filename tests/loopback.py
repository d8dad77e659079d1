"""Real site configs crawled against pages served on 127.0.0.1: a download handler and a server.

``LoopbackDownloadHandler`` (enabled per run with ``-s DOWNLOAD_HANDLERS=...``, see
:func:`loopback_settings`) sends every http(s) request to the loopback server on the port
``LOOPBACK_PORT`` names, with the real host in the ``Host`` header; the response keeps the real
URL. So a shipped config runs unchanged (its real hosts, allowed domains and URL patterns),
everything downstream sees the real URLs, and nothing can reach the network.

``PageServer`` answers the pages it was given by (host, path and query) and 404 to anything
else, recording every request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

HANDLER = "tests.loopback.LoopbackDownloadHandler"
# Fast, bounded crawls: no politeness delay against our own loopback server, one request at a
# time (so items reach the pipelines in a fixed order), content stages in the crawl process.
FAST_CRAWL = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=10",
              "-s", "CLOSESPIDER_TIMEOUT=60", "-s", "RUN_SUMMARY_ENABLED=0", "-s", "CONCURRENT_REQUESTS=1",
              "-s", "CONTENT_WORKERS=0"]  # fmt: skip


class LoopbackDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.port = crawler.settings.getint("LOOPBACK_PORT")
        if not self.port:
            raise ValueError("LoopbackDownloadHandler needs -s LOOPBACK_PORT=<port of the loopback server>")

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        wire = urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path or "/", parts.query, ""))
        headers = request.headers.copy()
        headers["Host"] = parts.netloc
        response = await super().download_request(request.replace(url=wire, headers=headers))
        return response.replace(url=request.url)


def loopback_settings(port: int) -> list[str]:
    """``-s`` arguments that route a ``scrapy`` run's downloads to the loopback server on ``port``."""
    handlers = json.dumps({"http": HANDLER, "https": HANDLER})
    return ["-s", f"DOWNLOAD_HANDLERS={handlers}", "-s", f"LOOPBACK_PORT={port}"]


@dataclass(frozen=True)
class ServedPage:
    status: int
    headers: Mapping[str, str]
    body: bytes


def page_key(url: str) -> tuple[str, str]:
    """(host, path?query) of a URL, as the server sees a request for it."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return (parts.netloc.lower(), f"{path}?{parts.query}" if parts.query else path)


@dataclass
class PageServer:
    pages: dict[tuple[str, str], ServedPage]
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(host, path?query) of every request, in order."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    def start(self) -> PageServer:
        pages, log, lock = self.pages, self.requests, self.lock

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                key = ((self.headers.get("Host") or "").lower(), self.path)
                with lock:
                    log.append(key)
                page = pages.get(key) or ServedPage(404, {"Content-Type": "text/plain"}, b"not found")
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))  # answered as a GET
                self.do_GET()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def requested(self) -> list[str]:
        """Every request as host + path, in order."""
        with self.lock:
            return [host + path for host, path in self.requests]
