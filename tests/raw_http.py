"""Raw HTTP/1.1 over a real socket: bodies sent in pieces, chunked, slowly, or never finished."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any


def request_head(
    method: str, path: str, headers: dict[str, str], *, length: int | None = None, chunked: bool = False
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() not in {"content-length", "host"}]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def split(body: bytes, pieces: int) -> list[bytes]:
    size = max(1, -(-len(body) // pieces))
    return [body[i : i + size] for i in range(0, len(body), size)] or [b""]


def chunked_encoding(parts: Iterable[bytes]) -> list[bytes]:
    out = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts if p]
    out.append(b"0\r\n\r\n")
    return out


async def exchange(
    port: int, writes: list[bytes], *, pause: float = 0.0, timeout: float = 20.0
) -> tuple[int, dict[str, Any] | None]:
    """Send each write (pausing between them), then read the whole answer: (status, JSON body or None)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for index, piece in enumerate(writes):
            if index and pause:
                await asyncio.sleep(pause)
            writer.write(piece)
            await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        payload = _dechunk(payload)
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, None


async def post_in_pieces(
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    pieces: int = 1,
    chunked: bool = False,
    pause: float = 0.0,
) -> tuple[int, dict[str, Any] | None]:
    parts = split(body, pieces)
    head = request_head("POST", path, headers, length=len(body), chunked=chunked)
    writes = [head, *(chunked_encoding(parts) if chunked else parts)]
    return await exchange(port, writes, pause=pause)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out
