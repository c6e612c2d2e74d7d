"""Where the stylesheets are: in the wheel (package data) or in the source tree."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def style_path(name: str) -> str:
    """``styles/<name>`` as a path Textual can load (``CSS_PATH``)."""
    packaged = resources.files("reducto_tui").joinpath(f"styles/{name}")
    if packaged.is_file():
        return str(packaged)
    return str(Path(__file__).resolve().parents[2] / "styles" / name)
