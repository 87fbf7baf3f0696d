"""HTTP and file fetching with timeouts, retries, a size cap and conditional GET."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
from tenacity import (
    Retrying,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from pipeline.records import Response
from pipeline.settings import Settings
from pipeline.urls import host_of

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class TooLarge(Exception):
    """The body went over the configured cap."""


class Fetcher:
    """One shared HTTP client with per-host connection limits; safe to use from threads."""

    def __init__(self, settings: Settings, backoff_seconds: float = 0.5) -> None:
        self.settings = settings
        self.backoff_seconds = backoff_seconds
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=True,
            max_redirects=5,
        )
        self._hosts: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """Fetch one URL; failures come back as a Response with `error` set, never raised."""
        if url.startswith("file:"):
            return self._read_file(url)
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.retries + 1),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=10),
            retry=retry_if_result(_retryable),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        with self._host_slot(host_of(url)):
            result: Response = retrying(self._get_once, url, etag, last_modified)
        return result

    def get_many(self, requests: Iterable[tuple[str, str | None, str | None]]) -> list[Response]:
        """Fetch (url, etag, last_modified) requests concurrently, in input order."""
        items = list(requests)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=self.settings.fetch_workers) as pool:
            return list(pool.map(lambda item: self.get(*item), items))

    def _get_once(self, url: str, etag: str | None, last_modified: str | None) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        try:
            with self.client.stream("GET", url, headers=headers) as reply:
                body = b"" if reply.status_code == 304 else self._read_capped(reply, started)
                error = (
                    None
                    if reply.is_success or reply.status_code == 304
                    else (f"HTTP {reply.status_code} {reply.reason_phrase}".strip())
                )
                return Response(
                    url=url,
                    final_url=str(reply.url),
                    status=reply.status_code,
                    body=body,
                    content_type=reply.headers.get("content-type"),
                    etag=reply.headers.get("etag"),
                    last_modified=reply.headers.get("last-modified"),
                    elapsed_ms=_ms_since(started),
                    error=error,
                )
        except TooLarge as exc:
            return _failed(url, started, str(exc))
        except httpx.TimeoutException:
            return _failed(url, started, f"timed out after {self.settings.timeout_seconds:g} s")
        except httpx.TooManyRedirects:
            return _failed(url, started, "too many redirects")
        except httpx.HTTPError as exc:
            return _failed(url, started, f"{type(exc).__name__}: {exc}")

    def _read_capped(self, reply: httpx.Response, started: float) -> bytes:
        cap = self.settings.max_bytes
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise TooLarge(f"response larger than {cap} bytes")
            if time.monotonic() - started > 3 * self.settings.timeout_seconds:
                raise httpx.ReadTimeout("total deadline exceeded")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_file(self, url: str) -> Response:
        started = time.monotonic()
        path = Path(unquote(urlsplit(url).path))
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                return _failed(url, started, f"file larger than {self.settings.max_bytes} bytes")
            body = path.read_bytes()
        except OSError as exc:
            return _failed(url, started, f"cannot read file: {exc.strerror or exc}")
        return Response(url, url, 200, body, None, None, None, _ms_since(started))

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        with self._lock:
            slot = self._hosts.setdefault(host, threading.Semaphore(self.settings.per_host_connections))
        with slot:
            yield


def _retryable(response: Response) -> bool:
    if response.status in RETRYABLE_STATUS:
        return True
    return response.status is None and response.error is not None and "timed out" in response.error


def _failed(url: str, started: float, error: str) -> Response:
    log.debug("fetch failed: %s: %s", url, error)
    return Response(url, url, None, b"", None, None, None, _ms_since(started), error)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
