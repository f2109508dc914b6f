"""The campaign rush of `make load`, scaled down to 30 s: Locust's visitors (80 % browsing,
15 % cart and code, 5 % buying and paying through the test gateway) on two gunicorn servers
that share PostgreSQL and Redis, as `bench/load/run.py` runs it. Times are not asserted on a
shared CI machine; what must hold under any load is: no errors, every paid order mailed
once with one paid step, no stock below zero, no code used past its limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load.run import _arguments, run_load
from tests.conftest import POSTGRES_URL
from tests.peers import running_redis

# A Redis database of this test's own: the runner empties it before the rush (the other
# tests use 13 to 15, `make load` 11).
REDIS_DATABASE = 12


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis(REDIS_DATABASE) as (url, _connection):
        yield url


def test_a_short_campaign_rush_on_two_servers_keeps_every_invariant(
    redis_url: str, tmp_path: Path
) -> None:
    # given the quick run's ramp (10 then 20 visitors), a code of 3 uses, 3 units of the
    # campaign product
    options = _arguments(
        ["--quick", "--postgres", POSTGRES_URL, "--redis", redis_url, "--results", str(tmp_path)]
    )

    # when the rush runs
    result = run_load(options)

    # then nothing failed, and the database is consistent
    assert result.failures == 0, (result.directory / "locust_failures.csv").read_text()
    assert result.locust_exit == 0
    invariants = result.invariants
    assert invariants.problems == []
    assert invariants.paid_orders >= 1, "no visitor got through checkout and payment"
    assert invariants.paid_orders == invariants.confirmation_emails
    assert invariants.products_below_zero == 0
    assert invariants.code_uses <= invariants.code_limit == options.code_limit
    assert invariants.rush_stock_left >= 0
    # every page kind of the mix was visited, on the steps the ramp made
    assert {"home", "category", "product", "search", "articles", "cart: code"} <= set(result.totals)
    assert {"checkout: place order", "payment: pay"} <= set(result.totals)
    assert [step.users for step in result.steps] == options.steps
    assert (result.directory / "p95-by-users.svg").read_text().startswith("<svg")
