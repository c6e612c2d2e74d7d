"""Layers import downward only: api -> core -> render/export -> ui -> cli; demo uses api only;
archive (the job history store) uses api only, and core/ui/cli may use it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reducto_tui"

FORBIDDEN = {
    "api": (
        "textual",
        "rich",
        "reducto_tui.core",
        "reducto_tui.render",
        "reducto_tui.ui",
        "reducto_tui.export",
        "reducto_tui.demo",
        "reducto_tui.archive",
    ),
    "archive": (
        "textual",
        "rich",
        "reducto_tui.core",
        "reducto_tui.render",
        "reducto_tui.ui",
        "reducto_tui.export",
        "reducto_tui.demo",
        "reducto_tui.cli",
        "reducto_tui.config",
    ),
    "core": (
        "textual",
        "rich",
        "reducto_tui.render",
        "reducto_tui.ui",
        "reducto_tui.export",
        "reducto_tui.demo",
    ),
    "render": ("textual", "reducto_tui.ui", "reducto_tui.demo"),
    "demo": (
        "textual",
        "reducto_tui.archive",
        "reducto_tui.core",
        "reducto_tui.render",
        "reducto_tui.ui",
        "reducto_tui.export",
    ),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downward(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    bad = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files
        for name in imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert bad == []


def test_export_does_not_import_ui() -> None:
    assert not any(
        n.startswith(("textual", "reducto_tui.ui")) for n in imports(PACKAGE / "export.py")
    )


def test_styles_ship_inside_the_wheel(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    root = PACKAGE.parent
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 and "hatchling" in result.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("*.whl"))
    assert "reducto_tui/styles/app.tcss" in zipfile.ZipFile(wheel).namelist()
