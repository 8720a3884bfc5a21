"""Import boundaries between layers, enforced by walking the code (OWID style)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RULES = [
    # (files glob, forbidden module prefix, reason)
    ("etl/**/*.py", "dashboard", "etl never imports the dashboard"),
    ("etl/**/*.py", "streamlit", "etl never imports streamlit"),
    ("dashboard/charts.py", "streamlit", "chart builders are pure"),
    ("dashboard/common/params.py", "streamlit", "the URL codec is pure"),
    ("dashboard/app_pages/*.py", "duckdb", "pages read through dashboard.common.data"),
    ("dashboard/app_pages/*.py", "etl.store", "pages read through dashboard.common.data"),
]
ONLY_IN = {
    "yfinance": {"etl/sources/yahoo.py"},
    "duckdb": {"etl/store.py"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
    return out


def test_layers_point_one_way() -> None:
    """No module imports across a forbidden layer boundary."""
    bad = []
    for pattern, prefix, reason in RULES:
        for path in ROOT.glob(pattern):
            for line, mod in _imports(path):
                if mod == prefix or mod.startswith(prefix + "."):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {mod}: {reason}")
    assert bad == []


def test_third_party_clients_stay_in_their_module() -> None:
    """yfinance and duckdb are each imported in exactly one module."""
    bad = []
    for path in [*ROOT.glob("etl/**/*.py"), *ROOT.glob("dashboard/**/*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        for line, mod in _imports(path):
            top = mod.split(".")[0]
            if top in ONLY_IN and rel not in ONLY_IN[top]:
                bad.append(f"{rel}:{line} imports {top}")
    assert bad == []


def test_no_syntax_highlighter_on_the_pages() -> None:
    """st.code pulls a 1.5 MB syntax-highlighter chunk into every page that shows one
    (benchmarks/pages.py measured it): links, citations and commands use inline code instead."""
    bad = [
        f"{path.relative_to(ROOT)}:{i}"
        for path in ROOT.glob("dashboard/**/*.py")
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "st.code(" in line and not line.lstrip().startswith("#")
    ]
    assert bad == []
