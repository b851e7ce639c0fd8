"""Performance goals of the HTTP service (``cssp serve``), by a bounded load test on loopback.

Two goals::

    GOAL server_one_community_rate: <requests a second> (limit 1000) PASS|FAIL
    GOAL server_10k_vs_in_process: <ratio> (limit 1.5) PASS|FAIL

``server_one_community_rate``
    One worker (``cssp serve --workers 1``, the national plan alone) answers
    ``POST /v1/evaluate`` with one community of the sample, by county, with
    the full document (the region's findings and the community's), for a
    bounded time (30 s; 3 s with ``--quick``) from four keep-alive
    connections of a client in this process. The figure is requests a second
    of wall time; the issue states this goal as a rate, not a ratio. Reported
    as information: p50 and p99 latency, and the rate the server's own CPU
    time allows (requests ÷ CPU seconds of the server process), which does
    not depend on what else the machine is running.
``server_10k_vs_in_process``
    One request of 10,000 synthetic communities (``cssp.synth``; 300 with
    ``--quick``), answered in full, against the same evaluation in this
    process: the JSON body parsed, the communities structured, evaluated by
    county and written as ``cssp.report`` writes them. Ratio = the request's
    wall time ÷ the in-process time, best of 3 (1 with ``--quick``); the goal
    is met when it is at most 1.5. Before timing, the script asserts that the
    service's answer is the in-process text, byte for byte.

Every request goes to 127.0.0.1 only, and every loop stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from _harness import goal, info, machine

import cssp
from cssp.io import structure_communities, unstructure
from cssp.report import render_report

ROOT: Final = Path(__file__).resolve().parents[1]
CONNECTIONS: Final = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(port: int) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "CSSP_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "cssp", "serve", "--port", str(port), "--no-plugins"]
    command += ["--max-body-size", "256M", "--max-communities", "20000"]
    process = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("cssp serve did not start within 60 s")


def _connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=600)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _post(connection: http.client.HTTPConnection, body: bytes) -> bytes:
    connection.request(
        "POST", "/v1/evaluate", body=body, headers={"content-type": "application/json"}
    )
    answer = connection.getresponse()
    content = answer.read()
    if answer.status != 200:
        raise RuntimeError(f"status {answer.status}: {content[:200]!r}")
    return content


def _load(port: int, body: bytes, seconds: float) -> tuple[int, float, list[float]]:
    """Requests answered, wall seconds and latencies of CONNECTIONS clients for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            start = time.perf_counter()
            _post(connection, body)
            latencies[index].append(time.perf_counter() - start)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    every = sorted(x for per in latencies for x in per)
    return len(every), elapsed, every


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def _in_process(body: bytes) -> str:
    document = json.loads(body)
    communities = structure_communities(document["communities"])
    report = cssp.evaluate_region(communities, by="county", profiles=())
    return render_report(report, "json")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (smoke test)")
    args = parser.parse_args(argv)
    try:
        import litestar  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        info(
            "bench_server: skipped, the server extra is not installed (pip install 'cssp[server]')"
        )
        return
    from cssp.synth import communities as synthetic

    info(machine())
    seconds = 3.0 if args.quick else 30.0
    size = 300 if args.quick else 10_000
    repeats = 1 if args.quick else 3

    one = json.dumps({"communities": [unstructure(cssp.load_sample()[0])]}).encode()
    many_communities = synthetic(size / 615_000 * 1.02, seed=1)[:size]
    many = json.dumps({"communities": [unstructure(c) for c in many_communities]}).encode()

    port = _free_port()
    server = _start(port)
    try:
        assert _post(_connect(port), one).decode() == _in_process(one)
        assert _post(_connect(port), many).decode() == _in_process(many)
        connection = _connect(port)
        for _ in range(50):  # warm up
            _post(connection, one)
        connection.close()
        cpu_before = _cpu_seconds(server.pid)
        count, elapsed, latencies = _load(port, one, seconds)
        cpu = _cpu_seconds(server.pid) - cpu_before
        rate = count / elapsed
        info(
            f"one community, {CONNECTIONS} connections, {elapsed:.1f} s: {count:,} requests, "
            f"{rate:,.0f}/s; p50 {_percentile(latencies, 0.5) * 1000:.2f} ms, "
            f"p99 {_percentile(latencies, 0.99) * 1000:.2f} ms; server CPU "
            f"{cpu / count * 1000:.2f} ms a request ({count / cpu:,.0f} a CPU second)"
        )
        goal("server_one_community_rate", rate, 1000, at_most=False, digits=0)

        served = []
        local = []
        for _ in range(repeats):
            connection = _connect(port)  # a new one: the server closes idle ones after 5 s
            start = time.perf_counter()
            _post(connection, many)
            served.append(time.perf_counter() - start)
            connection.close()
            start = time.perf_counter()
            _in_process(many)
            local.append(time.perf_counter() - start)
        info(
            f"{size:,} communities ({len(many) / 2**20:.1f} MB in): one request "
            f"{min(served):.2f} s, in process {min(local):.2f} s (best of {repeats})"
        )
        goal("server_10k_vs_in_process", min(served) / min(local), 1.5, at_most=True, digits=2)
        info(f"latencies: mean {statistics.fmean(latencies) * 1000:.2f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
