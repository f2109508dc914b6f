"""The layering holds: rules and services word nothing (no flask_babel; refusals are
reasons, worded in `shop.web.wording`), nothing below `shop.web` imports it, and no
storefront blueprint imports another (what two share lives in a neutral module)."""

from __future__ import annotations

import ast
from pathlib import Path

SHOP = Path(__file__).resolve().parents[2] / "shop"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_under(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (SHOP / folder).rglob("*.py"))


def test_rules_and_services_word_nothing_and_know_no_web():
    offending = {
        str(path.relative_to(SHOP.parent)): sorted(
            name
            for name in imported_modules(path)
            if name.split(".")[0] == "flask_babel" or name.startswith("shop.web")
        )
        for path in modules_under("rules", "services")
    }

    assert {path: names for path, names in offending.items() if names} == {}


def is_blueprint_module(path: Path) -> bool:
    return "Blueprint(" in path.read_text()


def test_no_storefront_blueprint_imports_another():
    blueprints = {
        f"shop.web.{path.stem}" for path in (SHOP / "web").glob("*.py") if is_blueprint_module(path)
    }
    offending = {
        path.stem: sorted(
            name for name in imported_modules(path) & blueprints if name != f"shop.web.{path.stem}"
        )
        for path in (SHOP / "web").glob("*.py")
        if is_blueprint_module(path)
    }

    assert {module: names for module, names in offending.items() if names} == {}
