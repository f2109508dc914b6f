"""The load run's figures, from its CSV files: Locust's totals per page kind, and from the
request log (every request with the elapsed time and the user count of its step) the
latency percentiles of each kind at each step of the ramp, and where checkout crosses 1 s.

Plain data in, plain data out: no Locust, no database, no drawing.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

STOREFRONT = ("home", "category", "product", "search", "articles")
CART = ("cart page", "cart: add", "cart: code")
CHECKOUT = ("checkout form", "checkout: place order", "payment", "payment: pay")
# The first seconds of a step are its new visitors arriving (and passing the gate): a step's
# figures are of the rest.
SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class Latency:
    requests: int
    failures: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Step:
    users: int
    seconds: float
    kinds: dict[str, Latency]  # a page kind, or a group: "storefront", "checkout", "all"


@dataclass(frozen=True)
class Request:
    elapsed_s: float
    kind: str
    ms: float
    ok: bool


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` of 1) of already sorted values; 0 for none."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def latency(requests: Sequence[Request], seconds: float) -> Latency:
    times = sorted(r.ms for r in requests)
    return Latency(
        requests=len(times),
        failures=sum(1 for r in requests if not r.ok),
        per_second=len(times) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
        p99_ms=percentile(times, 0.99),
    )


def read_request_log(path: Path) -> list[Request]:
    with path.open(newline="") as file:
        return [
            Request(float(row["elapsed_s"]), row["kind"], float(row["ms"]), row["ok"] == "1")
            for row in csv.DictReader(file)
        ]


def by_kind(requests: Iterable[Request]) -> dict[str, list[Request]]:
    """The requests of each kind, and of the groups storefront, cart, checkout and all."""
    grouped: dict[str, list[Request]] = defaultdict(list)
    for request in requests:
        grouped[request.kind].append(request)
        grouped["all"].append(request)
        for group, kinds in (("storefront", STOREFRONT), ("cart", CART), ("checkout", CHECKOUT)):
            if request.kind in kinds:
                grouped[group].append(request)
    return dict(grouped)


def steps(requests: Sequence[Request], users: Sequence[int], step_seconds: float) -> list[Step]:
    """Each step of the ramp (`users[i]` from i × step_seconds on), without its settling
    seconds."""
    found = []
    window = step_seconds - SETTLE_SECONDS
    for index, count in enumerate(users):
        start = index * step_seconds + SETTLE_SECONDS
        end = (index + 1) * step_seconds
        inside = [r for r in requests if start <= r.elapsed_s < end]
        if not inside:
            continue
        kinds = {kind: latency(rs, window) for kind, rs in by_kind(inside).items()}
        found.append(Step(users=count, seconds=window, kinds=kinds))
    return found


def crossing(found: Sequence[Step], kind: str = "checkout", limit_ms: float = 1000.0) -> int | None:
    """The users of the first step at which `kind`'s p95 is above `limit_ms`; None if none."""
    for step in found:
        figures = step.kinds.get(kind)
        if figures is not None and figures.requests and figures.p95_ms > limit_ms:
            return step.users
    return None


def locust_totals(stats_csv: Path) -> dict[str, Latency]:
    """Locust's own whole-run figures per name (`<prefix>_stats.csv`), "Aggregated" too."""
    totals = {}
    with stats_csv.open(newline="") as file:
        for row in csv.DictReader(file):
            totals[row["Name"]] = Latency(
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                per_second=float(row["Requests/s"]),
                p50_ms=float(row["50%"] or 0),
                p95_ms=float(row["95%"] or 0),
                p99_ms=float(row["99%"] or 0),
            )
    return totals
