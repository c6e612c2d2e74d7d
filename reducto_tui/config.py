"""Settings: a TOML file in the user's config dir, overridden by environment variables.

Order, weakest first: defaults, ``config.toml``, ``REDUCTO_*`` environment, command-line flags.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import httpx
import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from reducto_tui.api.client import (
    DEFAULT_BASE_URL,
    MB,
    ReductoClient,
    check_api_key,
    insecure_key_problem,
)
from reducto_tui.core.keys import KeymapError, check_keymap
from reducto_tui.export import write_atomic

APP_NAME = "reducto-tui"
ENV_VARS = {
    "api_key": "REDUCTO_API_KEY",
    "base_url": "REDUCTO_BASE_URL",
    "user_id": "REDUCTO_USER_ID",
    "archive_url": "REDUCTO_TUI_ARCHIVE_URL",
}


class ConfigError(Exception):
    """The config file cannot be read; the message names the file and the problem."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    user_id: str | None = None
    page_size: int = Field(default=500, ge=1, le=500)
    refresh_interval: float = Field(default=5.0, ge=0)
    exclude_configs: bool = True
    export_dir: Path = Field(default_factory=Path.cwd)
    read_only: bool = False
    bell: bool = False
    #: Seconds an open job may take before it is "stuck?"; 0: five times its type's p90.
    stuck_after: float = Field(default=0.0, ge=0)
    #: Show the Credits column in the job table (``$`` toggles it).
    credits_column: bool = False
    max_result_mb: int = Field(default=200, ge=1)
    #: Caps on API bodies, checked while they stream in: a page of jobs, one job's result.
    max_page_mb: int = Field(default=32, ge=1)
    max_job_mb: int = Field(default=256, ge=1)
    retry_after_cap: float = Field(default=60.0, ge=0)
    #: Longest a whole request (body included) may take; URL-result downloads get their own.
    request_deadline: float = Field(default=30.0, gt=0, le=3600)
    download_deadline: float = Field(default=300.0, gt=0, le=86400)
    #: Send the key over plain http:// to a host that is not this machine (off: it leaks).
    allow_insecure_http: bool = False
    #: Keep the jobs and results seen in an archive (off: some teams run under zero data
    #: retention); archive_url is a SQLite file path or a postgresql:// URL (may hold a
    #: password, hence secret); archive_days of history are loaded when the app starts.
    archive: bool = False
    archive_url: SecretStr | None = None
    archive_results: bool = False
    archive_days: float = Field(default=7.0, ge=0)
    #: The TUI's colour theme (a Textual theme name); the app remembers the last one chosen.
    theme: str | None = None
    #: action name -> key(s), e.g. {"cancel": "x"}; see the help screen for action names.
    keys: dict[str, str] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        try:
            url = httpx.URL(value)
        except (httpx.InvalidURL, ValueError) as exc:
            raise ValueError(f"is not a valid URL ({exc})") from None
        if not url.host:
            raise ValueError("has no host name")
        return value

    @field_validator("api_key", "user_id", "archive_url", mode="before")
    @classmethod
    def _strip_whitespace(cls, value: Any) -> Any:
        # A key pasted with its trailing newline is still the key.
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("keys")
    @classmethod
    def _valid_keymap(cls, value: dict[str, str]) -> dict[str, str]:
        try:
            check_keymap(value)
        except KeymapError as exc:
            raise ValueError(str(exc)) from None
        return value

    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None

    def archive_url_value(self) -> str | None:
        return self.archive_url.get_secret_value() if self.archive_url else None


def make_client(settings: Settings, **kwargs: Any) -> ReductoClient:
    """The one way the app and the CLI build a client from settings.

    Raises :class:`ConfigError` for settings that would leak or mangle the key.
    """
    check_sendable(settings)
    return ReductoClient(
        settings.api_key_value(),
        settings.base_url,
        user_id=settings.user_id,
        retry_after_cap=settings.retry_after_cap,
        request_deadline=settings.request_deadline,
        download_deadline=settings.download_deadline,
        max_page_bytes=settings.max_page_mb * MB,
        max_job_bytes=settings.max_job_mb * MB,
        max_result_bytes=settings.max_result_mb * MB,
        **kwargs,
    )


def config_path() -> Path:
    override = os.environ.get("REDUCTO_TUI_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_settings(
    path: Path | None = None,
    env: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    path = path or config_path()
    env = dict(os.environ) if env is None else env
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"Cannot read {path}: {exc.strerror}") from exc
    for field, var in ENV_VARS.items():
        if env.get(var):
            data[field] = env[var]
    for field, value in (overrides or {}).items():
        if value is not None:
            data[field] = value
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        # ``from None``: the validation error holds the raw input, which may be the key.
        raise ConfigError(
            f"Invalid settings (from {path} or the environment): {problems}"
        ) from None
    check_sendable(settings)
    return settings


def check_sendable(settings: Settings) -> None:
    """Refuse settings that would send the key where it cannot go or should not go."""
    key = settings.api_key_value()
    if key and check_api_key(key):
        raise ConfigError(
            "The API key contains characters that cannot be sent (only printable ASCII, "
            "no spaces): check REDUCTO_API_KEY or api_key in the config file."
        )
    if settings.user_id and check_api_key(settings.user_id):
        raise ConfigError("The user id contains characters that cannot be sent in a header.")
    problem = insecure_key_problem(settings.base_url)
    if key and problem and not settings.allow_insecure_http:
        raise ConfigError(problem)


_TOP_LEVEL_THEME = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def remember_theme(path: Path, theme: str) -> None:
    """Set ``theme = "<theme>"`` in the config file, keeping every other line as it is.

    Written atomically and readable by the owner only (0600): the file may hold the API
    key. A file that is not valid TOML is left alone (:class:`ConfigError`), as is one
    the new line would break.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML, not changed: {exc}") from None
    line = f"theme = {json.dumps(theme)}"
    table = re.search(r"^\s*\[", text, re.MULTILINE)  # keys before the first table are top-level
    head, tail = (text[: table.start()], text[table.start() :]) if table else (text, "")
    if _TOP_LEVEL_THEME.search(head):
        head = _TOP_LEVEL_THEME.sub(lambda _: line, head, count=1)
    else:
        head = f"{line}\n{head}"
    new = head + tail
    if tomllib.loads(new).get("theme") != theme:
        raise ConfigError(f"Could not set the theme in {path}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, new, overwrite=True, mode=0o600)
