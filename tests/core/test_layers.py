"""The layering contract in .importlinter refuses an import that runs back up, and lets every downward one pass.

Each test lays out the portal's top-level packages as empty stand-ins in a temporary folder, gives them the
imports it is about, and runs lint-imports there with the repository's own contract file: the contract is
what is tested, whatever the apps import today (`make lint` checks that).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("asem_portal", "workspace", "reports", "opendata", "reporting", "mobility", "objectives", "instruments",
            "partners", "core")
# Every arrow the README allows: each layer may use any below it.
DOWNWARD = {
    "asem_portal": ("workspace", "reports", "opendata", "reporting", "mobility", "objectives", "instruments",
                    "partners", "core"),
    "workspace": ("reporting", "mobility", "objectives", "instruments", "partners", "core"),
    "reports": ("reporting", "mobility", "objectives", "instruments", "partners", "core"),
    "opendata": ("reporting", "mobility", "objectives", "instruments", "partners", "core"),
    "reporting": ("mobility", "objectives", "instruments", "partners", "core"),
    "mobility": ("objectives", "instruments", "partners", "core"),
    "objectives": ("partners", "core"),
    "instruments": ("partners", "core"),
    "partners": ("core",),
    "core": (),
}


def lint_imports(tmp_path: Path, extra: tuple[str, str] | None = None) -> subprocess.CompletedProcess:
    for package, targets in DOWNWARD.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "uses.py").write_text("".join(f"import {target}\n" for target in targets))
    if extra:
        source, target = extra
        (tmp_path / source / "wrong.py").write_text(f"def later():\n    from {target} import uses\n")
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(command), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})


def test_the_contract_names_every_package_of_the_portal():
    text = (ROOT / ".importlinter").read_text()

    assert all(f"    {package}\n" in text for package in PACKAGES)
    assert "ignore_imports" not in text


def test_every_downward_import_passes(tmp_path):
    result = lint_imports(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("source, target", [
    ("objectives", "mobility"),
    ("instruments", "mobility"),
    ("objectives", "instruments"),
    ("instruments", "objectives"),
    ("mobility", "workspace"),
    ("mobility", "asem_portal"),
    ("workspace", "reports"),
    ("reports", "asem_portal"),
    ("reporting", "workspace"),
    ("mobility", "reporting"),
    ("partners", "objectives"),
    ("partners", "mobility"),
    ("core", "objectives"),
    ("core", "asem_portal"),
])
def test_an_import_that_runs_up_or_across_is_refused(tmp_path, source, target):
    result = lint_imports(tmp_path, extra=(source, target))

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{source}.wrong -> {target}.uses" in result.stdout
