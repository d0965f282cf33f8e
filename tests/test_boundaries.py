"""The boundaries between apps are enforced: `make lint` runs `lint-imports`, and it fails on a forbidden import.

The contracts live in pyproject.toml ([tool.importlinter]) and config/import_contracts.py; the picture is
in docs/architecture.md. These tests run the real `lint-imports` with the real configuration: once on the
code as it is (kept), then on a scratch copy of the package with one forbidden import written into it
(broken, naming the import).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "300", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package's Python files, the contract module and pyproject.toml."""
    root = tmp_path_factory.mktemp("boundaries")
    shutil.copytree(
        ROOT / "linli",
        root / "linli",
        ignore=lambda d, names: [
            n for n in names if not (n.endswith(".py") or (Path(d) / n).is_dir()) or n == "__pycache__"
        ],
    )
    (root / "config").mkdir()
    (root / "config" / "__init__.py").write_text("")
    shutil.copy(ROOT / "config" / "import_contracts.py", root / "config" / "import_contracts.py")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_make_lint_runs_lint_imports() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert "$(BIN)/lint-imports" in recipe.group(1)


def test_the_code_keeps_every_contract() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_scratch_copy_keeps_every_contract(scratch: Path) -> None:
    # the baseline for the cases below: the copy itself is clean, so a failure there is the injected line
    result = _lint_imports(scratch)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        # core imports no app
        (
            "linli/core/boundary_probe.py",
            "from linli.cases import selectors",
            "core imports no app",
            "linli.core.boundary_probe -> linli.cases.selectors",
        ),
        # an app uses another's models only through its actions and selectors
        (
            "linli/party/boundary_probe.py",
            "from linli.cases.models import Case",
            "an app uses another",
            "linli.party.boundary_probe -> linli.cases.models",
        ),
        # not through a private module inside actions either
        (
            "linli/iot/boundary_probe.py",
            "from linli.cases.actions import _common",
            "an app uses another",
            "linli.iot.boundary_probe -> linli.cases.actions._common",
        ),
        # dashboards only read: no action of another app
        (
            "linli/dashboards/boundary_probe.py",
            "from linli.cases import actions",
            "an app uses another",
            "linli.dashboards.boundary_probe -> linli.cases.actions",
        ),
        # nothing imports the read-only apps
        (
            "linli/cases/boundary_probe.py",
            "from linli.open311 import views",
            "an app uses another",
            "linli.cases.boundary_probe -> linli.open311.views",
        ),
        # dependencies point one way: places is below the domain apps
        (
            "linli/places/boundary_probe.py",
            "from linli.cases import selectors",
            "dependencies point one way",
            "linli.places.boundary_probe -> linli.cases.selectors",
        ),
    ],
)
def test_lint_imports_fails_on_a_forbidden_import(
    scratch: Path, module: str, line: str, contract: str, named: str
) -> None:
    probe = scratch / module
    probe.write_text(f"{line}  # noqa: F401\n")
    try:
        result = _lint_imports(scratch)
    finally:
        probe.unlink()
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert " 0 broken" not in out, out
    broken = out.split("Broken contracts", 1)[1]
    assert contract in broken
    assert named in broken


def test_an_allowed_import_stays_allowed(scratch: Path) -> None:
    probe = scratch / "linli" / "party" / "boundary_probe.py"
    probe.write_text(
        "from linli.cases import selectors  # noqa: F401\nfrom linli.cases.actions import case_create  # noqa: F401\n"
    )
    try:
        result = _lint_imports(scratch)
    finally:
        probe.unlink()
    assert result.returncode == 0, result.stdout + result.stderr
