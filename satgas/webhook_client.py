"""Sending one signed webhook request: pure network code (no Flask, no database).

The receiver's host is resolved here, every address is checked (loopback, private, link-local
and other non-public ranges are refused unless allowed), and the connection goes to the
address that was checked — with the host name kept for TLS (SNI and certificate) and the Host
header — so a DNS answer that changes between check and connect (DNS rebinding) cannot steer
the request inside the network. Redirects are not followed (a 3xx is a failure, as the
Standard Webhooks specification advises).
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from standardwebhooks import Webhook as Signer
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError, TimeoutError

TIMEOUT_SECONDS = 10.0
USER_AGENT = "SATGAS-Webhooks/1 (DPUPR Kota Malang)"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Answer:
    """What came back: a status code, or an error when there was no answer."""

    status: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared, reserved or multicast."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))


def refusal(addresses: list[IPAddress], allow_private: bool) -> str | None:
    """Why these addresses may not be called, or None."""
    if allow_private:
        return None
    inside = [str(a) for a in addresses if not is_public(a)]
    if inside:
        return (f"the host resolves to a loopback, private or link-local address ({', '.join(inside)}); "
                "webhooks go to public hosts only (WEBHOOK_ALLOW_PRIVATE=1 allows intranet receivers)")
    return None


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def signed_headers(event_id: str, body: str, secret: str) -> dict[str, str]:
    """The Standard Webhooks headers: id, Unix timestamp of this attempt, v1 HMAC-SHA256 signature."""
    now = datetime.now(UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(event_id, now, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def _pool(scheme: str, address: IPAddress, port: int, host: str) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1,
                                           server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED")
    return urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1)


def _exchange(scheme: str, address: IPAddress, port: int, parts, headers: dict[str, str], body: bytes):
    """One POST to one checked address; the response (status and headers), or an urllib3 error."""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(scheme, address, port, parts.hostname)
    try:
        response = pool.urlopen("POST", path, body=body, headers={**headers, "Host": parts.netloc},
                                redirect=False, assert_same_host=False, preload_content=False)
        response.read(4096)  # the body does not matter; reading a little lets the exchange finish
        response.release_conn()
        return response
    finally:
        pool.close()


def _send(url: str, headers: dict[str, str], body: bytes, allow_private: bool) -> Answer:
    parts = urlsplit(url)
    host, scheme = parts.hostname or "", parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, ValueError) as exc:
        return Answer(error=f"cannot resolve {host}: {exc}")
    refused = refusal(addresses, allow_private)
    if refused:
        return Answer(error=f"not sent: {refused}")
    failure = Answer(error=f"{host} has no address")
    for address in addresses:  # the next address only when this one cannot be reached at all
        try:
            response = _exchange(scheme, address, port, parts, headers, body)
        except NewConnectionError as exc:
            failure = Answer(error=f"connection failed: {exc}"[:500])
            continue
        except TimeoutError:
            return Answer(error=f"no answer within {TIMEOUT_SECONDS:g} s")
        except SSLError as exc:
            return Answer(error=f"TLS failed: {exc}"[:500])
        except HTTPError as exc:
            return Answer(error=f"connection failed: {exc}"[:500])
        error = None if 200 <= response.status < 300 else f"HTTP {response.status}"
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
        return Answer(response.status, error, retry_after)
    return failure


def post(url: str, event_id: str, body: str, secret: str, allow_private: bool) -> Answer:
    """POST the signed event once; never raises for network trouble (it is in the Answer)."""
    return _send(url, signed_headers(event_id, body, secret), body.encode(), allow_private)
