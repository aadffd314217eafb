"""Posting to a receiver's URL without letting it reach inside the network (SSRF).

The host is resolved once, every address it resolves to is checked (loopback, private,
link-local, shared, reserved, multicast are refused unless the destination was allowed the
private network by an administrator), and the request connects to the checked address itself,
with the original Host header and TLS server name: a DNS answer that changes between the check
and the connection cannot move it. Redirects are never followed (a 3xx is a failed attempt).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
EXCERPT = 300
EXCERPT_BYTES = 4 * EXCERPT  # read of an answer at most (UTF-8 takes up to 4 bytes a character)
TOTAL_SECONDS = 30.0  # a whole attempt, however slowly the receiver answers
MAX_RETRY_AFTER = 3600.0  # seconds: a receiver cannot park a destination for longer


class AddressRefused(ValueError):
    """The URL is not one Kizuna posts to (scheme, host, or an address inside the network)."""


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int | None  # None: no HTTP answer (refused, timeout, connection error)
    excerpt: str
    retry_after: float | None = None  # seconds, from the receiver's Retry-After
    permanent: bool = False  # retrying will not help


def blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> httpx.URL:
    """The URL parsed, or AddressRefused for what is not an http(s) URL with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise AddressRefused("not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise AddressRefused("only http and https URLs with a host")
    return parsed


async def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The checked addresses of `host` (IPv4 first); AddressRefused when any of them is refused."""
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise AddressRefused(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise AddressRefused(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            if blocked(address):
                raise AddressRefused(f"{host} resolves to {address}, inside the network")
    return sorted(addresses, key=lambda a: ":" in a)


def retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - now).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


async def post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], *,
               allow_private: bool, now: datetime | None = None) -> Answer:
    try:
        parsed = check_url(url)
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = await resolve(parsed.host, port, allow_private=allow_private)
    except AddressRefused as exc:
        return Answer(False, None, str(exc)[:EXCERPT], permanent=True)
    host_header = parsed.netloc.decode("ascii").rpartition("@")[2]
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    try:
        # One deadline for the whole exchange: a receiver dripping its answer cannot hold a sender.
        async with asyncio.timeout(TOTAL_SECONDS):
            for i, address in enumerate(addresses):
                try:
                    status, response_headers, excerpt = await _exchange(
                        client, parsed.copy_with(host=address), body, {**headers, "Host": host_header}, extensions)
                    break
                except httpx.ConnectError:
                    if i == len(addresses) - 1:
                        raise
    except (httpx.TimeoutException, TimeoutError):
        return Answer(False, None, "timed out")
    except httpx.HTTPError as exc:
        return Answer(False, None, f"{type(exc).__name__}: {exc}"[:EXCERPT])
    if 200 <= status < 300:
        return Answer(True, status, excerpt)
    wait = retry_after(response_headers.get("retry-after"), now or datetime.now(timezone.utc))
    # 4xx means the request is wrong (a removed webhook: 404, 410), except timeouts and limits
    permanent = 400 <= status < 500 and status not in (408, 409, 425, 429)
    return Answer(False, status, excerpt, retry_after=wait, permanent=permanent)


async def _exchange(client: httpx.AsyncClient, url: httpx.URL, body: bytes, headers: dict[str, str],
                    extensions: dict) -> tuple[int, httpx.Headers, str]:
    """Post, and read no more of the answer than the excerpt kept (a receiver answering with
    gigabytes costs a few kilobytes): its status, headers and the excerpt."""
    async with client.stream("POST", url, content=body, headers=headers, extensions=extensions) as response:
        kept = bytearray()
        async for chunk in response.aiter_raw():
            kept += chunk
            if len(kept) >= EXCERPT_BYTES:
                break
        text = bytes(kept[:EXCERPT_BYTES]).decode(response.encoding or "utf-8", errors="replace")
        return response.status_code, response.headers, text[:EXCERPT]


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                             headers={"User-Agent": "Kizuna-Notifications/1", "Accept-Encoding": "identity"})
