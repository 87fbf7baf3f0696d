"""URL canonicalisation and the ids derived from it."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

# Parameters that say how a reader arrived, not which article it is. Anything else is kept:
# many news sites name the article in the query (view.php?ud=..., articleView.html?idxno=...).
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "_hs")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ocid",
        "cmpid",
        "ncid",
        "ref_src",
        "ref_url",
        "smid",
        "sr_share",
        "s_cid",
        "icid",
        "spm",
        "__twitter_impression",
    }
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters (utm_*, fbclid, ...)."""
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
    return urlsplit(url).hostname or ""


def content_hash(text: str) -> str:
    """A hash of extracted text, to tell a changed article from an unchanged one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
