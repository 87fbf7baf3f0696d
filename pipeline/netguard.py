"""SSRF guard: a URL from a feed may only reach public web hosts unless the config allows more."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from pipeline.urls import unparsable, web_url_problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REFUSED = "refused:"  # how a refused fetch's error starts
WEB_SCHEMES = frozenset({"http", "https"})
# Cloud metadata services; most sit in link-local space, these spell out the rest.
METADATA = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("169.254.170.2/32"),
    ipaddress.ip_network("100.100.100.200/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)


class Refused(Exception):
    """The URL leads somewhere a fetch from untrusted input must not go."""


def parse_allowed(entries: Iterable[str]) -> tuple[frozenset[str], tuple[Network, ...]]:
    """Split allow-list entries into host names and networks (an IP is a one-address network)."""
    names: set[str] = set()
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            names.add(entry.strip().lower().rstrip("."))
    return frozenset(names), tuple(networks)


class NetGuard:
    """Checks each URL (first request and every redirect hop) against scheme and address rules."""

    def __init__(self, allow_hosts: Iterable[str] = ()) -> None:
        self.names, self.networks = parse_allowed(allow_hosts)

    def check(self, url: str) -> None:
        """Raise Refused unless `url` is http(s) and every address its host resolves to is allowed."""
        if problem := unparsable(url):
            raise Refused(f"{REFUSED} {problem}")
        parts = urlsplit(url)
        if parts.scheme.lower() not in WEB_SCHEMES:
            raise Refused(f"{REFUSED} scheme {parts.scheme or '(none)'!r} is not http(s)")
        if problem := web_url_problem(url):
            raise Refused(f"{REFUSED} {problem}")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise Refused(f"{REFUSED} URL has no host")
        if host.lower() in self.names:
            return
        for address in resolve(host, parts.port):
            reason = self._blocked(address)
            if reason:
                raise Refused(f"{REFUSED} {host} resolves to {address}, a {reason} address")

    def _blocked(self, address: IPAddress) -> str | None:
        if any(address in network for network in self.networks):
            return None
        return blocked_reason(address)


def resolve(host: str, port: int | None) -> list[IPAddress]:
    """Every address the host resolves to; a literal IP resolves to itself."""
    try:
        return [_unmapped(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"DNS lookup failed for {host}: {exc}") from exc
    # The scope suffix (fe80::1%eth0) is not part of the address.
    return [_unmapped(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos]


def blocked_reason(address: IPAddress) -> str | None:
    """Why an address is off limits by default, or None for a public address."""
    if any(address in network for network in METADATA):
        return "cloud metadata"
    for reason, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return reason
    if not address.is_global:
        return "non-public"
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    """::ffff:127.0.0.1 is 127.0.0.1: judge IPv4-mapped IPv6 addresses by their IPv4 form."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
