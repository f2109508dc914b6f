"""Serving and loading over HTTP on loopback: gunicorn processes, a verified visitor's cookie,
and `wrk` runs parsed into figures (with the CPU that wrk and the server used meanwhile).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class ServerOptions:
    """Gunicorn settings, the same for the shop and the floor."""

    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"{self.workers} {self.worker_class} workers{threads}"

    def arguments(self) -> list[str]:
        arguments = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            arguments += ["--threads", str(self.threads)]
        return arguments


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        """CPU used so far by the gunicorn master and its workers."""
        return sum(_process_cpu(pid) for pid in [self.process.pid, *_children(self.process.pid)])


@contextmanager
def gunicorn(
    app_spec: str,
    options: ServerOptions,
    environment: Mapping[str, object] | None = None,
    *,
    ready_path: str = "/healthz",
    timeout: float = 60.0,
    log: Path | None = None,
) -> Iterator[Server]:
    """`gunicorn <app_spec>` on a free loopback port until the block ends; its output goes
    to `log` when given (the logged e-mails of a load run would flood the terminal)."""
    from shop.i18n_catalogs import compile_catalogs

    compile_catalogs()  # the .mo files are built, not committed (only stale ones are rebuilt)
    port = free_port()
    env = {**os.environ, **{key: str(value) for key, value in (environment or {}).items()}}
    command = [
        GUNICORN,
        *options.arguments(),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app_spec,
    ]
    output = log.open("ab") if log is not None else None
    try:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    finally:
        if output is not None:
            output.close()
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_ready(server, ready_path, timeout)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, path: str, timeout: float) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.process.returncode}")
        try:
            if requests.get(server.base_url + path, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass  # still starting: workers import the app before they answer
        time.sleep(0.1)
    raise RuntimeError(f"{server.base_url} did not answer within {timeout} s")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based; 11 and 12 after ")").
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def verified_cookie(base_url: str, warm_path: str = "/") -> str:
    """Pass the age gate once with requests and return the `Cookie` header a visitor sends.

    One storefront page is fetched too, so the session already holds its CSRF token and no
    later response needs to set a new cookie (wrk would not store it).
    """
    import requests

    with requests.Session() as visitor:
        _pass_gate(visitor, base_url, warm_path)
        return "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())


def _pass_gate(visitor: Any, base_url: str, warm_path: str) -> None:
    """Answer the age gate with yes in `visitor` (a requests session) and warm its cookie."""
    gate = visitor.get(f"{base_url}/age-gate", timeout=10)
    token = _CSRF.search(gate.text)
    if token is None:
        raise RuntimeError("no CSRF token on the age gate")
    answer = visitor.post(
        f"{base_url}/age-gate",
        data={"csrf_token": token.group(1), "answer": "yes", "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"the age gate answered {answer.status_code}")
    page = visitor.get(base_url + warm_path, timeout=10)
    if page.status_code != 200:
        raise RuntimeError(f"{warm_path} answered {page.status_code} after the gate")
    # A worker that renders a visitor's first page adds one key to the session (Flask-Login
    # marks it not fresh); a kept page (shop.web.page_cache) does not, so with several
    # workers that may come a few requests later. Stable: three answers in a row set nothing.
    quiet = 0
    for _attempt in range(12):
        again = visitor.get(base_url + warm_path, timeout=10, allow_redirects=False)
        if again.status_code != 200:
            raise RuntimeError(f"{warm_path} answered {again.status_code} after the gate")
        quiet = 0 if "Set-Cookie" in again.headers else quiet + 1
        if quiet == 3:
            return
    raise RuntimeError("the verified session keeps changing; wrk cannot replay it")


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int  # non-2xx/3xx answers and socket errors
    seconds: float
    wrk_cpu_share: float  # of the machine's CPUs, over the run
    server_cpu_share: float


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(raw: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", raw).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(
    url: str,
    *,
    seconds: float,
    cookie: str | None = None,
    threads: int = 2,
    connections: int = 16,
    server: Server | None = None,
) -> WrkResult:
    """One wrk run: `wrk -t<threads> -c<connections> -d<seconds>s --latency`."""
    command = [
        wrk_path() or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(url)
    server_cpu_before = server.cpu_seconds() if server else 0.0
    # wrk is the only child reaped during the run (the servers live on), so the growth of
    # RUSAGE_CHILDREN is wrk's own CPU time.
    children_before = _children_cpu()
    started = time.monotonic()
    process = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    wall = time.monotonic() - started
    wrk_cpu = _children_cpu() - children_before
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {process.stderr.strip() or process.stdout.strip()}")
    server_cpu = (server.cpu_seconds() - server_cpu_before) if server else 0.0
    return _parse(process.stdout, wall, wrk_cpu, server_cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _parse(output: str, wall: float, wrk_cpu: float, server_cpu: float) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad_count = int(bad.group(1)) if bad else 0
    if errors:
        bad_count += sum(int(n) for n in errors.groups())
    cpus = os.cpu_count() or 1
    return WrkResult(
        requests_per_second=rps,
        p50_ms=_milliseconds(p50.group(1)) if p50 else float("nan"),
        p99_ms=_milliseconds(p99.group(1)) if p99 else float("nan"),
        requests=int(total.group(1)) if total else 0,
        bad_responses=bad_count,
        seconds=wall,
        wrk_cpu_share=wrk_cpu / (wall * cpus),
        server_cpu_share=server_cpu / (wall * cpus),
    )


def cart_cookie(base_url: str, product_ids: list[int], *, quantity: int = 1) -> str:
    """A verified visitor's `Cookie` header with `product_ids` in the cart, for the cart and
    checkout pages: through the gate, then the cart's own POST (with the CSRF token of a
    page, as a browser sends it); the cart and checkout pages are fetched once so that the
    flash messages of the adds are spent and the cookie no longer changes."""
    import requests

    with requests.Session() as visitor:
        _pass_gate(visitor, base_url, "/")
        page = visitor.get(f"{base_url}/cart", timeout=10)
        token = _CSRF.search(page.text)
        if token is None:
            raise RuntimeError("no CSRF token on the cart page")
        for product_id in product_ids:
            added = visitor.post(
                f"{base_url}/cart/add",
                data={
                    "csrf_token": token.group(1),
                    "product_id": str(product_id),
                    "quantity": str(quantity),
                    "next": "/cart",
                },
                allow_redirects=False,
                timeout=10,
            )
            if added.status_code != 303:
                raise RuntimeError(f"adding product {product_id} answered {added.status_code}")
        for path in ("/cart", "/checkout", "/cart", "/checkout"):
            visitor.get(base_url + path, timeout=10)
        for path in ("/cart", "/checkout"):
            again = visitor.get(base_url + path, timeout=10, allow_redirects=False)
            if again.status_code != 200 or "Set-Cookie" in again.headers:
                raise RuntimeError(f"{path} keeps changing the cart's cookie; wrk cannot replay it")
        return "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())
