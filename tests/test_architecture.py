"""Import boundaries between layers, enforced by walking the code (OWID style).

The dashboard is packaged by page: dashboard/common/ at the bottom, then each page's view and
charts (dashboard/app_pages/<page>/), then the registry (dashboard/pages.py), the shell and the
snapshot, with the page scripts and dashboard/app.py on top. The dashboard is a reader: it opens
the store in one module, never imports the pipeline, and never loads an online library.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The floors above dashboard/common/ (common never imports them).
ABOVE_COMMON = ("dashboard.app_pages", "dashboard.pages", "dashboard.shell", "dashboard.snapshot")
#: The floors above a page's view and charts.
ABOVE_VIEWS = ("dashboard.pages", "dashboard.shell", "dashboard.snapshot", "dashboard.app")
RULES = [
    # (files glob, forbidden module prefix, reason)
    ("etl/**/*.py", "dashboard", "etl never imports the dashboard"),
    ("etl/**/*.py", "streamlit", "etl never imports streamlit"),
    ("dashboard/common/traces.py", "streamlit", "chart builders are pure"),
    ("dashboard/app_pages/*/charts.py", "streamlit", "chart builders are pure"),
    ("dashboard/app_pages/*/view.py", "streamlit", "view builders are pure"),
    ("dashboard/common/view.py", "streamlit", "view builders are pure"),
    ("dashboard/common/params.py", "streamlit", "the URL codec is pure"),
    ("dashboard/app_pages/**/*.py", "duckdb", "pages read through dashboard.common.data"),
    ("dashboard/app_pages/**/*.py", "etl.store", "pages read through dashboard.common.data"),
    (
        "dashboard/**/*.py",
        "etl.pipeline",
        "the dashboard is a reader: first builds run via etl.api",
    ),
    *(("dashboard/common/**/*.py", m, "common is the bottom floor") for m in ABOVE_COMMON),
    *(("dashboard/app_pages/*/view.py", m, "views sit below the registry") for m in ABOVE_VIEWS),
    *(("dashboard/app_pages/*/charts.py", m, "charts sit below the registry") for m in ABOVE_VIEWS),
]
#: Module prefix -> the only files (or folders, ending in "/") of etl/ and dashboard/ that may
#: import it.
ONLY_IN = {
    "yfinance": {"etl/sources/"},
    "curl_cffi": {"etl/sources/"},
    "httpx2": {"etl/sources/"},
    "huggingface_hub": {"etl/sources/"},
    "duckdb": {"etl/store.py"},
    # Any etl module may use the store; in the dashboard, only its data access.
    "etl.store": {"etl/", "dashboard/common/data.py"},
}
#: What the app must not load when it starts (the online sources' libraries).
ONLINE = ("yfinance", "httpx2", "huggingface_hub", "curl_cffi")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
            # `from etl import store` imports etl.store just as `import etl.store` does.
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_violations(root: Path) -> list[str]:
    """Every import under `root` that crosses a forbidden layer boundary (RULES)."""
    bad = []
    for pattern, prefix, reason in RULES:
        for path in sorted(root.glob(pattern)):
            for line, mod in _imports(path):
                if _within(mod, prefix):
                    bad.append(f"{path.relative_to(root)}:{line} imports {prefix}: {reason}")
    return sorted(set(bad))


def placement_violations(root: Path) -> list[str]:
    """Every import under `root` of a module outside the files allowed to import it (ONLY_IN)."""
    bad = []
    for path in sorted([*root.glob("etl/**/*.py"), *root.glob("dashboard/**/*.py")]):
        rel = path.relative_to(root).as_posix()
        for line, mod in _imports(path):
            for prefix, allowed in ONLY_IN.items():
                if _within(mod, prefix) and not any(
                    rel == a or (a.endswith("/") and rel.startswith(a)) for a in allowed
                ):
                    bad.append(f"{rel}:{line} imports {prefix}: only {', '.join(sorted(allowed))}")
    return sorted(set(bad))


def test_layers_point_one_way() -> None:
    """No module imports across a forbidden layer boundary."""
    assert layer_violations(ROOT) == []


def test_third_party_clients_stay_in_their_module() -> None:
    """Online clients only under etl/sources/, duckdb only in the store, and the store only in
    the ETL and the dashboard's data access."""
    assert placement_violations(ROOT) == []


def test_every_rule_covers_files() -> None:
    """Every rule's glob matches files, so a moved module cannot leave a rule checking nothing."""
    assert [pattern for pattern, _p, _r in RULES if not list(ROOT.glob(pattern))] == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checkers_report_a_deliberate_violation(tmp_path: Path) -> None:
    """Each rule of item 4 fails on a tree that breaks it, naming the file and the line."""
    root = _tree(
        tmp_path,
        {
            "dashboard/shell.py": "import os\nfrom etl.store import Store\n",
            "dashboard/common/data.py": "from etl.store import Store\nfrom etl import pipeline\n",
            "dashboard/app_pages/market/view.py": "from dashboard import pages\n",
            "dashboard/common/frames.py": "import yfinance as yf\n",
            "etl/steps/lmarena.py": "from huggingface_hub import HfApi\n",
            "etl/sources/hub.py": "import httpx2\nfrom huggingface_hub import HfApi\n",
            "etl/export.py": "from curl_cffi import requests\n",
        },
    )
    layers = layer_violations(root)
    assert layers == [
        "dashboard/app_pages/market/view.py:1 imports dashboard.pages: views sit below the registry",
        "dashboard/common/data.py:2 imports etl.pipeline: the dashboard is a reader: first builds "
        "run via etl.api",
    ]
    placement = placement_violations(root)
    assert placement == [
        "dashboard/common/frames.py:1 imports yfinance: only etl/sources/",
        "dashboard/shell.py:2 imports etl.store: only dashboard/common/data.py, etl/",
        "etl/export.py:1 imports curl_cffi: only etl/sources/",
        "etl/steps/lmarena.py:1 imports huggingface_hub: only etl/sources/",
    ]
    # And the same tree without the violations passes.
    for name in ("dashboard/shell.py", "dashboard/app_pages/market/view.py", "etl/export.py"):
        (root / name).write_text("import os\n", encoding="utf-8")
    (root / "dashboard/common/data.py").write_text("from etl.store import Store\n")
    (root / "dashboard/common/frames.py").write_text("import pandas\n")
    (root / "etl/steps/lmarena.py").write_text("from etl.sources import hub\n")
    assert layer_violations(root) == []
    assert placement_violations(root) == []


def test_the_app_starts_without_online_libraries() -> None:
    """Importing the app's modules (every page's view, the registry, shell, snapshot) loads none
    of the online sources' libraries: the dashboard reads vintages, it does not fetch."""
    code = (
        "import sys\n"
        "import dashboard.pages, dashboard.shell, dashboard.snapshot\n"
        "import dashboard.common.components, dashboard.common.data\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {ONLINE!r}"
        " or m == 'etl.pipeline'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


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
