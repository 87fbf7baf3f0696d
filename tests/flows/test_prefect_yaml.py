"""prefect.yaml (for work pools) schedules what `newsint serve` schedules, with real entrypoints."""

from __future__ import annotations

import importlib

import yaml

from pipeline.settings import load_settings
from tests.conftest import REPO


def test_prefect_yaml_matches_the_configured_groups() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    settings = load_settings(REPO / "config" / "newsint.toml")
    scheduled = {
        d["parameters"]["group"]: [s["cron"] for s in d["schedules"]]
        for d in spec["deployments"]
        if d["entrypoint"] == "flows/ingest.py:ingest"
    }
    assert scheduled == {name: [group.cron] for name, group in settings.groups.items()}
    for deployment in spec["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        assert (REPO / path).is_file()
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name))
