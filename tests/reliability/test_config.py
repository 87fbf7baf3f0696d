"""Invalid configuration stops a run before any work, with an error naming the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import ConfigError, load_settings
from tests.conftest import REPO

CONFIG = "Configuration"
ONE = '[[sources]]\nname = "w"\n'
SOURCE = '[[sources]]\nname = "wire"\nurl = "https://wire.example/feed.xml"\n'


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        ("colour = 'red'\n" + SOURCE, "colour", "Extra inputs are not permitted"),
        (ONE + 'url = "ftp://wire.example/f"\n', "sources.0.url", "unsupported URL scheme"),
        (ONE + 'url = "https:///feed.xml"\n', "sources.0.url", "no host"),
        (ONE + 'url = "http://wire.example:99999/"\n', "sources.0.url", "malformed URL"),
        (ONE + 'url = "https://w.example/f"\nhost = "x"\n', "sources.0.host", "Extra"),
        ("timeout_seconds = 0\n" + SOURCE, "timeout_seconds", "greater than 0"),
        ("allow_hosts = ['10.0.0.0/33']\n" + SOURCE, "allow_hosts", "neither a host name nor an IP"),
        ("[groups.fast]\ncron = '61 * * * *'\n" + SOURCE, "groups.fast.cron", "not a cron expression"),
        ("timeout_seconds = \n", "not valid TOML", ""),
    ],
    ids=["unknown", "scheme", "no-host", "port", "source-key", "range", "allow", "cron", "toml"],
)
@pytest.mark.case(CONFIG, "Unknown keys, bad URLs, bad cron, bad values, bad TOML", "error naming the field")
def test_invalid_config_names_the_field(tmp_path: Path, text: str, field: str, says: str) -> None:
    path = tmp_path / "newsint.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"invalid configuration in {path}")
    assert field in message and says in message


@pytest.mark.case(CONFIG, "`newsint run` with an invalid config", "exits non-zero, nothing written")
def test_cli_stops_before_any_work(tmp_path: Path) -> None:
    path = tmp_path / "newsint.toml"
    path.write_text("retries = -1\n" + SOURCE, encoding="utf-8")
    db = tmp_path / "never.duckdb"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "newsint"), "run", "--config", str(path), "--db", str(db)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "retries" in done.stderr and "invalid configuration" in done.stderr
    assert not db.exists()
