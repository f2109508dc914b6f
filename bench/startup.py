"""How long `make run` takes to serve its first page: the quick-start figure of the README.

    .venv/bin/python -m bench.startup                  # 5 warm starts of this checkout
    .venv/bin/python -m bench.startup --runs 3 --dir /tmp/qs --port 5077

Each run starts `make run` on a free port in its own process group, asks `/healthz` and then
`/` until both answer 200, prints the seconds from the command to the first page and stops
the server. The first run of a fresh clone includes the install; later runs are warm.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def time_first_page(directory: Path, port: int, log: Path) -> float:
    """Seconds from `make run` to a 200 on `/healthz` and then on `/`."""
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=directory,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for path in ("/healthz", "/"):
            while not answers(base + path):
                if server.poll() is not None:
                    raise SystemExit(f"`make run` stopped (exit {server.returncode}); see {log}")
                if time.monotonic() - started > TIMEOUT_S:
                    raise SystemExit(f"no page after {TIMEOUT_S:.0f} s; see {log}")
                time.sleep(0.05)
        return time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT, help="the checkout to start")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args(argv)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"startup-{os.getpid()}.log"
    figures = []
    for run in range(1, args.runs + 1):
        seconds = time_first_page(args.dir.resolve(), args.port or free_port(), log)
        figures.append(seconds)
        print(f"run {run}: first page after {seconds:.2f} s", flush=True)
    print(f"median {statistics.median(figures):.2f} s over {len(figures)} run(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
