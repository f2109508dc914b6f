"""`make audit`: Lighthouse on the demo shop's main pages, phone and desktop, against targets.

Starts gunicorn on a fresh SQLite database holding the demo shop (test payments), passes the
age gate and puts a product in the cart with `requests`, then runs the pinned Lighthouse
(package.json) in Debian's Chromium with that visitor's cookie on the home page, a category, a
product, the cart and the checkout. Prints a table of the four scores against the targets and
writes the reports (JSON, HTML) and `summary.md` to bench/results/lighthouse/ (ignored by git).

    .venv/bin/python -m bench.audit [--pages home,product] [--form-factors mobile]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.data import Database, fresh_database, shop_settings
from bench.http_load import PROJECT_ROOT, ServerOptions, gunicorn

RESULTS = PROJECT_ROOT / "bench" / "results" / "lighthouse"
LIGHTHOUSE = PROJECT_ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# As root (containers, CI) Chromium refuses to start without --no-sandbox.
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
RUN_TIMEOUT_S = 120  # one page, one form factor; the whole audit stays within minutes

CATEGORY_SLUG = "magic-truffles"
PRODUCT_SLUG = "lions-mane-capsules"
PAGES = {
    "home": "/",
    "category": f"/category/{CATEGORY_SLUG}",
    "product": f"/products/{PRODUCT_SLUG}",
    "cart": "/cart",
    "checkout": "/checkout",
}
# Pages that say noindex on purpose (shop.web.head): Lighthouse's SEO score counts that
# against them, so their SEO target is not checked.
NOINDEX_PAGES = frozenset({"cart", "checkout"})
FORM_FACTORS = ("mobile", "desktop")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PRODUCT_ID = re.compile(r'name="product_id" value="(\d+)"')


@dataclass(frozen=True)
class Score:
    page: str
    form_factor: str
    scores: dict[str, int]
    failing: list[str]  # titles of the audits that lost points

    def misses(self) -> list[str]:
        return [
            category
            for category, target in TARGETS.items()
            if not (category == "seo" and self.page in NOINDEX_PAGES)
            and self.scores.get(category, 0) < target
        ]


def seed_demo_shop(database: Database) -> None:
    from shop import clock, create_app
    from shop.extensions import db
    from shop.services.demo import load_demo_promotions, load_demo_shop

    app = create_app(shop_settings(database))
    with app.app_context():
        load_demo_shop(db.session(), now=clock.now())
        load_demo_promotions(db.session(), now=clock.now(), tz=clock.shop_timezone())
        db.engine.dispose()


def shopper_cookie(base_url: str) -> str:
    """Pass the gate, put the product in the cart and return the visitor's `Cookie` header."""
    import requests

    with requests.Session() as visitor:
        gate = visitor.get(f"{base_url}/age-gate", timeout=10)
        answer = visitor.post(
            f"{base_url}/age-gate",
            data={"csrf_token": _csrf(gate.text), "answer": "yes", "next": "/"},
            allow_redirects=False,
            timeout=10,
        )
        if answer.status_code != 303:
            raise RuntimeError(f"the age gate answered {answer.status_code}")
        product = visitor.get(base_url + PAGES["product"], timeout=10)
        found = _PRODUCT_ID.search(product.text)
        if found is None:
            raise RuntimeError(f"{PAGES['product']} has no buy form")
        visitor.post(
            f"{base_url}/cart/add",
            data={
                "csrf_token": _csrf(product.text),
                "product_id": found.group(1),
                "quantity": "1",
                "next": "/cart",
            },
            timeout=10,
        )
        # Every page once, so the flash message is read and the session stops changing.
        for path in PAGES.values():
            visitor.get(base_url + path, timeout=10)
        return "; ".join(f"{name}={value}" for name, value in visitor.cookies.items())


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def run_lighthouse(url: str, cookie: str, form_factor: str, report_base: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        "--output=html",
        f"--output-path={report_base}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(
        command,
        check=True,
        timeout=RUN_TIMEOUT_S,
        env={**os.environ, "CHROME_PATH": CHROME},
        cwd=PROJECT_ROOT,
    )
    return json.loads(report_base.with_suffix(".report.json").read_text())


def score_of(page: str, form_factor: str, report: dict) -> Score:
    categories = report["categories"]
    scores = {name: round((categories[name]["score"] or 0) * 100) for name in CATEGORIES}
    failing = []
    for name in CATEGORIES:
        for ref in categories[name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                failing.append(f"{name}: {audit['title']}")
    return Score(page, form_factor, scores, failing)


def markdown_table(results: list[Score]) -> str:
    targets = " · ".join(f"{name} ≥ {value}" for name, value in TARGETS.items())
    lines = [
        f"Targets: {targets} (SEO not checked on the noindex pages: cart, checkout).",
        "",
        "| page | form factor | performance | accessibility | best practices | SEO | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in results:
        cells = [str(result.scores[name]) for name in CATEGORIES]
        misses = result.misses()
        met = "yes" if not misses else "no: " + ", ".join(misses)
        lines.append(f"| {result.page} | {result.form_factor} | {' | '.join(cells)} | {met} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: npm ci --no-audit --no-fund", file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    results: list[Score] = []
    started = time.monotonic()
    with fresh_database("sqlite") as database:
        seed_demo_shop(database)
        with gunicorn(
            "shop:create_app()", ServerOptions(workers=2), shop_settings(database)
        ) as shop:
            cookie = shopper_cookie(shop.base_url)
            for page in options.pages:
                for form_factor in options.form_factors:
                    print(f"lighthouse {page} ({form_factor})…", flush=True)
                    report = run_lighthouse(
                        shop.base_url + PAGES[page],
                        cookie,
                        form_factor,
                        RESULTS / f"{page}-{form_factor}",
                    )
                    results.append(score_of(page, form_factor, report))
    table = markdown_table(results)
    (RESULTS / "summary.md").write_text(table)
    print()
    print(table)
    for result in results:
        for title in result.failing:
            print(f"  {result.page} ({result.form_factor}) {title}")
    print(f"\n{len(results)} runs in {time.monotonic() - started:.0f} s; reports in {RESULTS}")
    return 0 if all(not result.misses() for result in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--form-factors", default=",".join(FORM_FACTORS))
    options = parser.parse_args(argv)
    options.pages = [name for name in options.pages.split(",") if name]
    options.form_factors = [name for name in options.form_factors.split(",") if name]
    unknown = set(options.pages) - set(PAGES) | set(options.form_factors) - set(FORM_FACTORS)
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    return options


if __name__ == "__main__":
    sys.exit(main())
