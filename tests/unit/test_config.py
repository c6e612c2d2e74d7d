"""Settings: file, then environment, then flags; clear errors; the key never printed."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import pytest

from reducto_tui.api.client import MB
from reducto_tui.config import ConfigError, Settings, load_settings, make_client
from reducto_tui.core.keys import DEFAULT_KEYS


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
    assert settings.page_size == 500 and settings.refresh_interval == 5


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


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"REDUCTO_BASE_URL": "http://[::1"}, "not a valid URL"),
        ({"REDUCTO_BASE_URL": "https://"}, "base_url"),
        ({"REDUCTO_API_KEY": "clé-SECRET"}, "API key contains characters that cannot be sent"),
        ({"REDUCTO_API_KEY": "two-SECRET words"}, "cannot be sent"),
        (
            {"REDUCTO_API_KEY": "k-SECRET", "REDUCTO_BASE_URL": "http://api.example.com"},
            "Refusing to send the API key over plain http:// to api.example.com",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(
    tmp_path: Path, env: dict[str, str], words: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(words)) as err:
        load_settings(tmp_path / "none.toml", env=env)
    shown = "".join(traceback.format_exception(err.value))
    for value in env.values():
        if "SECRET" in value:
            assert value not in shown


def test_a_key_with_a_trailing_newline_is_the_key(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", env={"REDUCTO_API_KEY": " k-1\n"})
    assert settings.api_key_value() == "k-1"


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:8000"]
)
def test_plain_http_is_fine_to_this_machine(tmp_path: Path, base_url: str) -> None:
    env = {"REDUCTO_API_KEY": "k", "REDUCTO_BASE_URL": base_url}
    assert load_settings(tmp_path / "none.toml", env=env).base_url == base_url


def test_plain_http_elsewhere_needs_the_opt_in(tmp_path: Path) -> None:
    env = {"REDUCTO_API_KEY": "k", "REDUCTO_BASE_URL": "http://api.example.com"}
    settings = load_settings(
        tmp_path / "none.toml", env=env, overrides={"allow_insecure_http": True}
    )
    assert make_client(settings).base_url == "http://api.example.com"
    refused = Settings(base_url="http://api.example.com", api_key="k")  # built by hand
    with pytest.raises(ConfigError) as err:
        make_client(refused)
    assert str(err.value) == (
        "Refusing to send the API key over plain http:// to api.example.com: anyone on the "
        "network path could read it. Use https://, or set allow_insecure_http = true "
        "(--allow-insecure-http) if you really mean it."
    )


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ('cancel = "q"', "quit and cancel are both bound to 'q'"),
        ('cancel = "x"\nexport = "x"', "export and cancel are both bound to 'x'"),
        ('cancle = "x"', "unknown action id 'cancle'"),
        ('cancel = ""', "cancel: an empty key name"),
        ('cancel = "x,"', "cancel: an empty key name"),
        ('cancel = "ctl+x"', "unknown or repeated modifier"),
        ('cancel = "hello"', "'hello' is not a key name"),
        ('cancel = "j"', "already used for moving the cursor"),
        ('help = "?"\nfilter = "question_mark"', "both bound to"),
    ],
)
def test_bad_key_tables_are_refused_with_the_reason(tmp_path: Path, keys: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[keys]\n{keys}\n")
    with pytest.raises(ConfigError, match=re.escape(words)):
        load_settings(path, env={})


def test_good_key_tables_load(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\ncancel = "x,ctrl+x"\nquit = "ctrl+w"\nhelp = "f1,?"\n')
    assert load_settings(path, env={}).keys["cancel"] == "x,ctrl+x"


def test_the_app_binds_exactly_the_ids_and_keys_the_config_checks() -> None:
    from textual.binding import Binding

    from reducto_tui.ui.app import ReductoApp

    bound = {b.id: b.key for b in ReductoApp.BINDINGS if isinstance(b, Binding)}
    assert bound == DEFAULT_KEYS
