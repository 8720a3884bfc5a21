"""pyproject.toml declares every third-party package etl/ and dashboard/ import, and only those."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.test_architecture import ROOT, _imports

LOCAL = {"etl", "dashboard", "tests"}


def _canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    return {_canonical(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}


def _imported(*folders: str) -> dict[str, set[str]]:
    """Distribution name -> the files under `folders` that import it."""
    dists = packages_distributions()
    out: dict[str, set[str]] = {}
    for path in [p for f in folders or ("etl", "dashboard") for p in ROOT.glob(f"{f}/**/*.py")]:
        for _line, module in _imports(path):
            top = module.split(".")[0]
            if top in LOCAL or top in sys.stdlib_module_names or top == "__future__":
                continue
            for dist in dists.get(top, [f"<no distribution installs {top!r}>"]):
                out.setdefault(_canonical(dist), set()).add(path.relative_to(ROOT).as_posix())
    return out


def _project() -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def test_every_import_is_declared() -> None:
    """Each third-party module etl/ and dashboard/ import comes from a declared dependency."""
    declared = _declared(list(_project()["dependencies"]))  # type: ignore[call-overload]
    undeclared = {d: sorted(f) for d, f in _imported().items() if d not in declared}
    assert undeclared == {}


def test_every_runtime_dependency_is_imported() -> None:
    """A runtime dependency nothing in etl/ or dashboard/ imports belongs in an extra."""
    declared = _declared(list(_project()["dependencies"]))  # type: ignore[call-overload]
    assert sorted(declared - set(_imported())) == []


def test_every_test_import_is_declared() -> None:
    """What tests/ imports comes from the dependencies or the test extras (requests among them:
    the tests drive yfinance through requests sessions, the app never imports it)."""
    extras: dict[str, list[str]] = _project()["optional-dependencies"]  # type: ignore[assignment]
    declared = _declared([*_project()["dependencies"], *extras["test"]])  # type: ignore[misc]
    assert "requests" in _declared(extras["test"])
    undeclared = {d: sorted(f) for d, f in _imported("tests").items() if d not in declared}
    assert undeclared == {}
