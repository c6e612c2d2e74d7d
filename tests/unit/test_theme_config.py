"""The chosen theme is written into the config file: one line changed, nothing else lost,
owner-only permissions (the file may hold the API key), and a broken file left alone."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from reducto_tui.config import ConfigError, load_settings, remember_theme

CONFIG = """\
# my settings
api_key = "sk-SECRET"
theme = "nord"   # was dark

[keys]
cancel = "x"
"""


def test_the_theme_line_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    remember_theme(path, "textual-light")
    text = path.read_text()
    assert text.count("theme") == 1 and 'theme = "textual-light"' in text
    assert "# my settings" in text and 'api_key = "sk-SECRET"' in text
    data = tomllib.loads(text)
    assert data["keys"] == {"cancel": "x"} and data["theme"] == "textual-light"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path, env={}).theme == "textual-light"


def test_a_theme_goes_above_the_first_table_not_into_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ncancel = "x"\n')
    remember_theme(path, "gruvbox")
    data = tomllib.loads(path.read_text())
    assert data["theme"] == "gruvbox" and data["keys"] == {"cancel": "x"}


def test_a_missing_file_is_created_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    remember_theme(path, "nord")
    assert tomllib.loads(path.read_text()) == {"theme": "nord"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_is_not_toml_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("api_key = 'unterminated\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        remember_theme(path, "nord")
    assert path.read_text() == "api_key = 'unterminated\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left
