"""HTTP and file fetching: SSRF checks, bounded redirects, size caps, deadlines, retries."""

from __future__ import annotations

import logging
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpcore
import httpx
from tenacity import RetryCallState, Retrying, retry_if_result, stop_after_attempt, wait_exponential

from pipeline.netguard import REFUSED, NetGuard, Refused
from pipeline.records import Response
from pipeline.settings import Settings
from pipeline.urls import BadURL, host_of, joined_url

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_BACKOFF_SECONDS = 10.0
PAST_DEADLINE = "timed out: no complete response within"


class TooLarge(Exception):
    """The body went over the configured cap (raw or decoded)."""


class Undecodable(Exception):
    """The body's content encoding is unknown or corrupt."""


@dataclass(frozen=True, slots=True)
class _Attempt:
    response: Response
    retry: bool = False
    retry_after: float | None = None
    location: str | None = None


class Fetcher:
    """One shared HTTP client with per-host connection limits; safe to use from threads."""

    def __init__(self, settings: Settings, backoff_seconds: float = 0.5) -> None:
        self.settings = settings
        self.guard = NetGuard(settings.allow_hosts)
        # Redirects are followed here, not by httpx, so that every hop passes the SSRF check.
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=False,
            transport=_deadline_transport(),
        )
        self._backoff = wait_exponential(multiplier=backoff_seconds, max=MAX_BACKOFF_SECONDS)
        # Each try catches its own errors, so a retry is decided on the result and the last result
        # is the answer. Tenacity keeps a call's state per thread: one object serves the pool.
        self._retrying = Retrying(
            retry=retry_if_result(lambda result: result.retry),
            stop=stop_after_attempt(settings.retries + 1) | self._over_cap,
            wait=self._wait,
            retry_error_callback=_last,
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
        with self._host_slot(host_of(url)):
            result = self._retrying(self._follow, url, etag, last_modified)
        return result.response

    def get_many(self, requests: Iterable[tuple[str, str | None, str | None]]) -> list[Response]:
        """Fetch (url, etag, last_modified) requests concurrently, in input order."""
        items = list(requests)
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=self.settings.fetch_workers) as pool:
            return list(pool.map(lambda item: self.get(*item), items))

    def _wait(self, state: RetryCallState) -> float:
        """Seconds before the next try: the server's Retry-After if any, else exponential backoff."""
        retry_after = _last(state).retry_after
        return self._backoff(state) if retry_after is None else retry_after

    def _over_cap(self, state: RetryCallState) -> bool:
        """Retry-After asks for longer than we wait: give up for now (the reply says so)."""
        retry_after = _last(state).retry_after
        return retry_after is not None and retry_after > self.settings.retry_after_max_seconds

    def _follow(self, url: str, etag: str | None, last_modified: str | None) -> _Attempt:
        """One try at a URL, following at most `max_redirects` redirects, each hop checked."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        seen = {url}
        current = url
        with _deadline(started + 3 * self.settings.timeout_seconds):
            for _hop in range(self.settings.max_redirects + 1):
                try:
                    self.guard.check(current)
                except Refused as exc:
                    return _Attempt(_failed(url, started, str(exc)))
                result = self._request(current, headers, started)
                if result.location is None:
                    return replace(result, response=replace(result.response, url=url))
                try:
                    current = joined_url(current, result.location)
                except BadURL as exc:
                    return _Attempt(_failed(url, started, f"{REFUSED} redirect to a {exc}"))
                if current in seen:
                    return _Attempt(_failed(url, started, f"redirect loop at {current}"))
                seen.add(current)
        limit = self.settings.max_redirects
        return _Attempt(_failed(url, started, f"too many redirects (more than {limit})"))

    def _request(self, url: str, headers: dict[str, str], started: float) -> _Attempt:
        try:
            with self.client.stream("GET", url, headers=headers) as reply:
                location = reply.headers.get("location")
                if reply.status_code in REDIRECT_STATUS and location:
                    return _Attempt(_failed(url, started, "redirect"), location=location)
                body = b"" if reply.status_code == 304 else self._read_capped(reply)
                error = None
                if not (reply.is_success or reply.status_code == 304):
                    error = f"HTTP {reply.status_code} {reply.reason_phrase}".strip()
                retry_after = _retry_after(reply.headers.get("retry-after"))
                if retry_after is not None and retry_after > self.settings.retry_after_max_seconds:
                    error = f"{error}; Retry-After {retry_after:g} s is over the cap, not retried"
                response = Response(
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
                return _Attempt(response, reply.status_code in RETRYABLE_STATUS, retry_after)
        except (TooLarge, Undecodable) as exc:
            return _Attempt(_failed(url, started, str(exc)))
        except httpx.TimeoutException:
            limit = self.settings.timeout_seconds
            # The socket's own timeout is cut to what is left of the total deadline: which one ran out?
            whole = time.monotonic() - started >= 3 * limit - 0.01
            reason = f"{PAST_DEADLINE} {3 * limit:g} s" if whole else f"timed out after {limit:g} s"
            return _Attempt(_failed(url, started, reason), retry=True)
        except httpx.ConnectError as exc:
            return _Attempt(_failed(url, started, f"cannot connect: {exc}"), retry=True)
        except (httpx.ReadError, httpx.RemoteProtocolError) as exc:
            return _Attempt(_failed(url, started, f"connection broken mid-response: {exc}"), retry=True)
        except httpx.HTTPError as exc:
            return _Attempt(_failed(url, started, f"{type(exc).__name__}: {exc}"))

    def _read_capped(self, reply: httpx.Response) -> bytes:
        """The decoded body, refusing more than `max_bytes` raw or decoded.

        Decoding happens here, chunk by chunk with an output limit, so a gzip or deflate bomb
        never expands beyond the cap in memory.
        """
        cap = self.settings.max_bytes
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(f"response larger than {cap} bytes (Content-Length {declared})")
        decoder = _Decoder(reply.headers.get("content-encoding"))
        chunks: list[bytes] = []
        raw = size = 0
        for chunk in reply.iter_raw():
            raw += len(chunk)
            if raw > cap:
                raise TooLarge(f"response larger than {cap} bytes")
            data = decoder.decode(chunk, cap - size + 1)
            size += len(data)
            if size > cap:
                raise TooLarge(f"response larger than {cap} bytes once decompressed")
            chunks.append(data)
        tail = decoder.flush()
        if size + len(tail) > cap:
            raise TooLarge(f"response larger than {cap} bytes once decompressed")
        return b"".join([*chunks, tail])

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


class _Decoder:
    """Streaming gzip/deflate decoding with a bound on each step's output."""

    def __init__(self, encoding: str | None) -> None:
        self.encoding = (encoding or "identity").strip().lower()
        self.started = False
        if self.encoding in ("identity", ""):
            self.zlib = None
        elif self.encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self.zlib = zlib.decompressobj()
        else:
            raise Undecodable(f"unsupported content encoding {self.encoding!r}")

    def decode(self, chunk: bytes, limit: int) -> bytes:
        if self.zlib is None:
            return chunk
        try:
            data = self.zlib.decompress(chunk, limit)
        except zlib.error as exc:
            if self.encoding == "deflate" and not self.started:
                # Some servers send raw deflate without the zlib wrapper RFC 9110 asks for.
                self.started = True
                self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(chunk, limit)
            raise Undecodable(f"corrupt {self.encoding} body: {exc}") from exc
        self.started = True
        return data

    def flush(self) -> bytes:
        return self.zlib.flush() if self.zlib is not None else b""


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now; RFC 9110 allows delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _last(state: RetryCallState) -> _Attempt:
    """The latest try's result; tenacity has one whenever it asks whether to stop or how long to wait."""
    assert state.outcome is not None
    result: _Attempt = state.outcome.result()
    return result


def _failed(url: str, started: float, error: str) -> Response:
    log.debug("fetch failed: %s: %s", url, error)
    return Response(url, url, None, b"", None, None, None, _ms_since(started), error)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


# The total deadline of the request this thread is making (monotonic seconds), or None.
_DEADLINES = threading.local()


@contextmanager
def _deadline(at: float) -> Iterator[None]:
    """Bound every socket operation of this thread's request, redirects included, by `at`."""
    _DEADLINES.at = at
    try:
        yield
    finally:
        _DEADLINES.at = None


def _remaining(timeout: float | None) -> float | None:
    """The per-operation timeout, cut to what is left of the deadline; raises once it has passed.

    httpx's timeouts restart with every read, so a server that drips its headers or body a byte
    at a time would hold a request for ever; this bounds the whole request, headers included.
    """
    at = getattr(_DEADLINES, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout(PAST_DEADLINE)
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self.stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.stream.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self.backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.backend.connect_tcp(host, port, _remaining(timeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self.backend.connect_unix_socket(path, _remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


def _deadline_transport() -> httpx.HTTPTransport:
    """httpx's own transport, its connections made through a backend that keeps the deadline.

    httpx has no setting for a network backend, so it is swapped into the pool httpx built (its
    private `_pool`); pools of other shapes (a proxy from the environment) are left as they are.
    """
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = _DeadlineBackend(pool._network_backend)
    return transport
