"""Load with wrk, pinned to core 1, and how the bench reads its runs.

This machine's speed drifts in bursts (other tenants): the same static file ranged
1,300-2,700 req/s between runs a minute apart. So every figure is measured in turns with a
reference (`in_turns`): a static file, Datasette, or /healthz for a 304.
"""

import http.client
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPORT_LUA = Path(__file__).with_name("report.lua")
CONNECTIONS = 8


def wrk(url: str, headers: dict, seconds: int) -> dict:
    """One wrk run: 1 thread, 8 connections. Requests, errors (socket errors and answers with
    a status of 400 or more), latency percentiles in ms, bytes, and req/s."""
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    command += ["--timeout", "10s", "-s", str(REPORT_LUA)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    finished = subprocess.run([*command, url], capture_output=True, text=True)
    if finished.returncode:
        sys.exit(f"wrk failed on {url}:\n{finished.stdout}\n{finished.stderr}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    # wrk stops with up to 8 requests in flight, which the server still works through (a
    # slow page at 10x the data: many seconds). One more answer means they are done, so the
    # next run measures its own requests, not that backlog.
    fetch(url, headers)
    return result


def _answered(url: str, headers: dict, seconds: int, tries: int = 3) -> dict:
    """A run that answered at least one request: a run in which the server stalled (it
    happened once, at ten times the data) is run again rather than divided by."""
    for _ in range(tries):
        if (result := wrk(url, headers, seconds))["requests"]:
            return result
    sys.exit(f"{url} answered nothing in {tries} runs of {seconds} s")


def in_turns(
    endpoint: tuple[str, dict],
    reference: tuple[str, dict],
    *,
    rounds: int,
    seconds: int,
    reference_seconds: int,
) -> dict:
    """The endpoint measured in turns with a reference (the static file, or Datasette):
    `rounds` rounds of a run of the reference then a run of the endpoint; the round with the
    middle ratio (endpoint req/s / reference req/s) is kept, with its reference run.

    Side by side, both see the same machine: an endpoint compared with a reference measured a
    minute earlier shows the drift more than the endpoint."""
    kept = []
    for _ in range(rounds):
        before = _answered(*reference, reference_seconds)
        result = wrk(*endpoint, seconds)
        kept.append({**result, "ratio": result["rps"] / before["rps"], "reference": before})
    kept.sort(key=lambda r: r["ratio"])
    return kept[len(kept) // 2]


def fetch(url: str, headers: dict) -> tuple[int, dict]:
    """One GET: its status and headers (names in lower case); the body is read and dropped."""
    status, answer, _body = fetch_body(url, headers)
    return status, answer


def fetch_body(url: str, headers: dict) -> tuple[int, dict, bytes]:
    """One GET: its status, headers (names in lower case) and body as sent (still gzipped)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        answer = {name.lower(): value for name, value in response.getheaders()}
        return response.status, answer, body
    finally:
        connection.close()
