"""What a crawl may be pointed at.

A crawl service that fetches whatever URL it is given can be turned against the network it runs
in. Start URLs whose host is, or resolves to, a loopback, private, link-local or reserved
address are refused unless the operator allows them (the demo and the tests do).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


def refuse_private_host(url: str) -> str | None:
    """None when the URL may be fetched, else the reason it may not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"refused {url}: only http(s) URLs with a host are crawled"
    for address in _addresses(parts.hostname):
        if _is_internal(address):
            return (f"refused {url}: {parts.hostname} is an internal address ({address}); "
                    "allow it explicitly (--allow-private) if this is intended")
    return None


def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except OSError:
        return []  # unresolvable: the fetch itself will fail and be recorded


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified or ip.is_multicast
