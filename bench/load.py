"""A small HTTP/1.1 load generator: keep-alive connections, one event loop.

Run as its own process so that the server under test never shares its
interpreter; prints one JSON line with requests per second, latencies and
the statuses seen.

    .venv/bin/python bench/load.py URL [--cookie NAME=VALUE] [--seconds 10]
        [--warm-up 2] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0


async def read_response(reader: asyncio.StreamReader) -> int:
    # One read for the whole head: the generator must cost as little CPU as it can,
    # since it shares the machine with the server it measures.
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lowered = head.lower()
    start = lowered.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lowered.index(b"\r\n", start + 2)
        length = int(head[start + 17 : end])
        if length:
            await reader.readexactly(length)
    elif b"\r\ntransfer-encoding: chunked" in lowered:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)  # the chunk and its CRLF
            if size == 0:
                break
    return status


async def connection(
    request: bytes, host: str, port: int, *, measure_from: float, stop_at: float, tally: Tally
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= stop_at:
                return
            writer.write(request)
            try:
                status = await read_response(reader)
            except (
                ConnectionError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                ValueError,
            ):
                tally.failures += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if started >= measure_from:
                tally.latencies.append(time.perf_counter() - started)
                tally.statuses[status] += 1
    finally:
        writer.close()


async def run(url: str, *, cookie: str | None, seconds: float, warm_up: float, width: int) -> Tally:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Accept-Language: fr"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    tally = Tally()
    now = time.perf_counter()
    measure_from, stop_at = now + warm_up, now + warm_up + seconds
    await asyncio.gather(
        *(
            connection(request, host, port, measure_from=measure_from, stop_at=stop_at, tally=tally)
            for _ in range(width)
        )
    )
    return tally


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--cookie")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warm-up", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=32)
    arguments = parser.parse_args()
    tally = asyncio.run(
        run(
            arguments.url,
            cookie=arguments.cookie,
            seconds=arguments.seconds,
            warm_up=arguments.warm_up,
            width=arguments.connections,
        )
    )
    latencies = sorted(tally.latencies)
    print(
        json.dumps(
            {
                "requests_per_second": len(latencies) / arguments.seconds,
                "p50_ms": percentile(latencies, 0.50) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
                "statuses": {str(status): count for status, count in tally.statuses.items()},
                "failures": tally.failures,
            }
        )
    )


if __name__ == "__main__":
    main()
