"""URL canonicalisation and the ids derived from it."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

from pipeline import REPO_ROOT
from pipeline.norms.tables import read_lines


def _tracking(names: list[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(names, prefixes) from config/tracking_params.txt, where a trailing '*' marks a prefix."""
    return (
        frozenset(n.lower() for n in names if not n.endswith("*")),
        tuple(n[:-1].lower() for n in names if n.endswith("*")),
    )


# Parameters that say how a reader arrived, not which article it is.
TRACKING_PARAMS, TRACKING_PREFIXES = _tracking(read_lines(REPO_ROOT / "config" / "tracking_params.txt"))


class BadURL(ValueError):
    """A URL the standard library cannot take apart: a port out of range, a broken IPv6 host."""


def unparsable(url: str) -> str | None:
    """Why the standard library cannot take `url` apart, or None when it can.

    `urlsplit` raises on a broken IPv6 literal and `.port` on a port out of range; asked first,
    a URL from a feed, a redirect or a sitemap is refused as a value instead of failing later.
    """
    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        return f"malformed URL {url[:200]!r}: {exc}"
    return None


def web_url_problem(url: str) -> str | None:
    """Why `url` is not a usable http(s) URL, or None when it is."""
    if problem := unparsable(url):
        return problem
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL: {url[:200]!r}"
    if not parts.hostname or any(c.isspace() for c in url.strip()):
        return f"malformed URL {url[:200]!r}: no host, or spaces"
    return None


def joined_url(base: str, link: str) -> str:
    """`link` resolved against `base`; raises BadURL when either cannot be parsed."""
    try:
        return urljoin(base, link)
    except ValueError as exc:
        raise BadURL(f"malformed URL {link[:200]!r}: {exc}") from exc


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters (utm_*, fbclid, ...).
    A malformed URL comes back as given: it names its entry until its fetch is refused."""
    if unparsable(url):
        return url
    url = urldefrag(url).url
    if url.startswith("file:"):
        return url
    from courlan import normalize_url  # here: a run whose feeds all answer 304 never needs it

    parts = urlsplit(normalize_url(url, strict=False))
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def article_id(url: str) -> str:
    """A stable id for an article: the same canonical URL always gives the same id."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def host_of(url: str) -> str:
    """The host a URL points at ('' for local files), for per-host limits."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # malformed: the fetch refuses it, and any slot will do until then
        return ""


def content_hash(text: str) -> str:
    """A hash of extracted text, to tell a changed article from an unchanged one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
