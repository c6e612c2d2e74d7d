"""Settings: file, then environment, then flags; clear errors; the key never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reducto_tui.api.client import MB
from reducto_tui.config import ConfigError, load_settings, make_client


def test_env_overrides_file_and_flags_override_env(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'base_url = "https://file.example/"\npage_size = 250\napi_key = "file-key"\n[keys]\ncancel = "x"\n'
    )
    settings = load_settings(
        path, env={"REDUCTO_API_KEY": "env-key", "REDUCTO_BASE_URL": "https://env.example"}
    )
    assert settings.base_url == "https://env.example" and settings.page_size == 250
    assert settings.api_key_value() == "env-key" and settings.keys == {"cancel": "x"}
    assert "env-key" not in repr(settings) and "env-key" not in str(settings)
    flagged = load_settings(path, env={}, overrides={"page_size": 10, "base_url": None})
    assert flagged.page_size == 10 and flagged.base_url == "https://file.example"


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", env={})
    assert settings.base_url == "https://platform.reducto.ai" and settings.api_key is None
    assert settings.page_size == 100 and settings.refresh_interval == 5


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("page_size = [", "not valid TOML"),
        ("page_size = 900", "page_size"),
        ('base_url = "ftp://x"', "http"),
        ("colour = 1", "colour"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=words):
        load_settings(path, env={})


def test_one_client_factory_carries_every_limit(tmp_path: Path) -> None:
    """The CLI's own copy of the client once dropped max_result_mb: one factory now."""
    path = tmp_path / "config.toml"
    path.write_text(
        "max_result_mb = 3\nmax_page_mb = 4\nmax_job_mb = 5\n"
        "request_deadline = 7\nretry_after_cap = 9\n"
    )
    client = make_client(load_settings(path, env={"REDUCTO_USER_ID": "u-1"}))
    assert client.max_result_bytes == 3 * MB
    assert (client.max_page_bytes, client.max_job_bytes) == (4 * MB, 5 * MB)
    assert client.request_deadline == 7 and client.retry_after_cap == 9
    assert client.user_id == "u-1"
