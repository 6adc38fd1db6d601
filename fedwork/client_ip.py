"""The address a request came from, as far as this server can trust it (issue #13, finding 11).

Behind the reverse proxy of docs/operations.md every request arrives from the proxy's address, so
``REMOTE_ADDR`` alone puts every user behind one address. The proxy's ``X-Forwarded-For`` (or
``X-Real-IP``) names the client, but anyone can send those headers: they are read only when
``REMOTE_ADDR`` is one of ``settings.TRUSTED_PROXIES`` (addresses or networks, from the
environment's ``TRUSTED_PROXIES``). Otherwise the headers are ignored and ``REMOTE_ADDR`` is the
client.

django-axes counts failed logins by this address (``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """Whether ``address`` is one of settings.TRUSTED_PROXIES (none unless configured)."""
    parsed = _address(address)
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return parsed is not None and any(parsed in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: from the proxy's headers when REMOTE_ADDR is a trusted proxy, else REMOTE_ADDR.

    ``X-Forwarded-For`` is read from the right: each trusted proxy appends the address it saw, so the
    rightmost address that is not itself a trusted proxy is the client (whatever the client wrote
    further left is ignored). Without a usable ``X-Forwarded-For``, ``X-Real-IP`` is taken.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed(forwarded):
        address = _address(candidate)
        if address is None:
            break  # a malformed hop: stop rather than trust what lies left of it
        if not is_trusted_proxy(candidate):
            return str(address)
    real = _address(request.META.get("HTTP_X_REAL_IP", ""))
    return str(real) if real is not None else remote
