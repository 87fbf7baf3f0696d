"""The models folder is a setting like the others: default, config file, environment, checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import DEFAULT_MODELS, ConfigError, load_settings, usable_cores
from tests.conftest import REPO, models_config


def test_the_default_models_folder_is_the_checkouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSINT_MODELS_PATH", raising=False)
    config = tmp_path / "newsint.toml"
    config.write_text("", encoding="utf-8")
    assert load_settings(config).models_path == DEFAULT_MODELS == REPO / "models"


def test_the_environment_wins_over_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in-file").mkdir()
    (tmp_path / "in-env").mkdir()
    config = models_config(tmp_path, tmp_path / "in-file")
    monkeypatch.delenv("NEWSINT_MODELS_PATH", raising=False)
    assert load_settings(config).models_path == tmp_path / "in-file"
    monkeypatch.setenv("NEWSINT_MODELS_PATH", str(tmp_path / "in-env"))
    assert load_settings(config).models_path == tmp_path / "in-env"


def test_a_relative_folder_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Absolute, so a worker process started in another folder reads the same data."""
    (tmp_path / "models").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSINT_MODELS_PATH", "models")
    assert load_settings(models_config(tmp_path, DEFAULT_MODELS)).models_path == tmp_path / "models"


@pytest.mark.parametrize("name", ["missing", "a-file"])
def test_a_models_path_that_is_no_folder_is_refused_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.delenv("NEWSINT_MODELS_PATH", raising=False)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    config = models_config(tmp_path, tmp_path / name)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert message.startswith(f"invalid configuration in {config}: models_path:")
    assert f"{tmp_path / name}" in message and "not a folder" in message


def test_usable_cores_follow_the_process_s_affinity() -> None:
    allowed = os.sched_getaffinity(0)
    assert usable_cores() == len(allowed)
    try:
        os.sched_setaffinity(0, {min(allowed)})  # as `taskset -c 0` or a one-core container would
        assert usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)


def test_nlp_processes_follow_the_usable_cores_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSINT_NLP_PROCESSES", raising=False)
    config = tmp_path / "newsint.toml"
    config.write_text("", encoding="utf-8")
    assert load_settings(config).nlp_processes == usable_cores()
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        assert load_settings(config).nlp_processes == 1
    finally:
        os.sched_setaffinity(0, allowed)
    config.write_text("nlp_processes = 3\n", encoding="utf-8")
    assert load_settings(config).nlp_processes == 3
