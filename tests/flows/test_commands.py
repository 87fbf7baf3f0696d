"""`newsint run`, `backfill` and `reprocess` run to success as a user types them: the options are
honoured, what they print agrees with the warehouse they wrote, and a run started from the command
line sends Prefect no heartbeats unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY asks for them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.events.filters import EventAnyResourceFilter, EventFilter, EventNameFilter
from prefect.settings import PREFECT_API_URL

from tests.conftest import SAMPLE
from tests.server import FaultServer, Route

pytestmark = [pytest.mark.flow, pytest.mark.model]
NEWSINT = str(Path(sys.executable).parent / "newsint")
IN_FEED = [
    "poland-takes-delivery-of-more-k2-tanks-and-k9-howitzers",
    "japan-and-philippines-sign-troop-access-pact",
]
NOT_IN_FEED = "europe-breaks-ground-on-new-shell-factories"
HEARTBEAT = "prefect.flow-run.heartbeat"


@dataclass
class Commands:
    """What each command printed, and a copy of the warehouse as it left it."""

    db: Path
    default_db: Path
    server: FaultServer
    urls: list[str]
    done: dict[str, subprocess.CompletedProcess[str]]
    after: dict[str, Path]


def _newsint(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command against the session's Prefect server, with no other Prefect or
    newsint settings from this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSINT_"))}
    prefect = {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_HOME": str(cwd / "prefect")}
    return subprocess.run(
        [NEWSINT, *args],
        cwd=cwd,
        env={**clean, **prefect, **env},
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def _feed(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>Story {n}</title><link>{url}</link></item>" for n, url in enumerate(urls))
    channel = f"<title>Wire</title><link>http://127.0.0.1/</link><description>d</description>{items}"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'.encode()


@pytest.fixture(scope="module")
def commands(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commands]:
    """`run` over a two-item feed on 127.0.0.1; `backfill` of a page the feed lacks and of one it
    has (behind tracking parameters); `reprocess --all`, asking for heartbeats. Each through its
    --config and --db, from a folder with no config or data of its own."""
    folder = tmp_path_factory.mktemp("commands")
    db = folder / "elsewhere" / "news.duckdb"
    config = folder / "settings" / "wire.toml"
    config.parent.mkdir()
    with FaultServer(SAMPLE) as server:
        urls = [f"{server.url}/articles/{name}.html" for name in [*IN_FEED, NOT_IN_FEED]]
        server.routes["/wire.xml"] = Route(_feed(urls[:2]), headers={"Content-Type": "application/rss+xml"})
        config.write_text(
            f'allow_hosts = ["127.0.0.1"]\n[[sources]]\nname = "wire"\nurl = "{server.url}/wire.xml"\n',
            encoding="utf-8",
        )
        options = ["--config", str(config), "--db", str(db)]
        steps = {
            "run": (["run"], {}),
            "backfill": (["backfill", urls[2], f"{urls[0]}?utm_source=rss&ocid=msn"], {}),
            "reprocess": (["reprocess", "--all"], {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}),
        }
        done, after = {}, {}
        for name, (args, env) in steps.items():
            done[name] = _newsint(*args, *options, cwd=folder, **env)
            after[name] = folder / f"after-{name}.duckdb"
            for made in db.parent.glob(f"{db.name}*"):  # the file, and its write-ahead log if left
                shutil.copy(made, after[name].with_name(made.name.replace(db.name, after[name].name)))
        yield Commands(db, folder / "data" / "newsint.duckdb", server, urls, done, after)


def _rows(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _output(commands: Commands, name: str) -> str:
    """What the command printed, once it is known to have succeeded."""
    done = commands.done[name]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "newsint:" not in done.stderr, done.stderr
    return done.stdout


def _run_id(commands: Commands, name: str) -> str:
    """The warehouse's id of a command's run: printed by run and backfill, the newest for reprocess."""
    out = _output(commands, name)
    if name == "reprocess":
        return str(_rows(commands.after[name], "SELECT max_by(run_id, started_at) FROM runs")[0][0])
    found = re.search(r"^(?:Run|Backfill) (\w+):", out, re.MULTILINE)
    assert found, commands.done[name].stdout
    return found[1]


def test_run_reads_the_configured_feed_into_the_given_file(commands: Commands) -> None:
    out = _output(commands, "run")
    found = re.search(
        r"Run (\w+): (\d+) new, (\d+) changed, (\d+) failed articles; (\d+) mentions; (\d+) weapon events; "
        r"(\d+) of (\d+) feeds failed \((\d+) articles in (.+)\)\.",
        out,
    )
    assert found, out
    run_id, *counts, where = found.groups()
    new, changed, failed, mentions, events, feeds_failed, feeds, total = map(int, counts)
    db = commands.after["run"]
    assert commands.server.hits.get("/wire.xml") == 1  # --config: its source, and its allow_hosts
    assert where == str(commands.db) and not commands.default_db.exists()  # --db
    loaded = _rows(db, "SELECT url FROM articles WHERE run_id = ? ORDER BY url", run_id)
    assert [url for (url,) in loaded] == sorted(commands.urls[:2])
    assert (new, changed, failed, total, feeds_failed, feeds) == (2, 0, 0, 2, 0, 1)
    assert mentions > 0
    assert _rows(db, "SELECT count(*) FROM mentions WHERE run_id = ?", run_id) == [(mentions,)]
    assert _rows(db, "SELECT count(*) FROM events WHERE run_id = ?", run_id) == [(events,)]
    assert _rows(db, "SELECT events FROM runs WHERE run_id = ?", run_id) == [(events,)]
    assert _rows(db, "SELECT status, articles_new FROM runs WHERE run_id = ?", run_id) == [("completed", 2)]


def test_run_prints_the_most_named_entities(commands: Commands) -> None:
    out = _output(commands, "run")
    named = _rows(
        commands.after["run"],
        "SELECT m.label, coalesce(e.name, m.norm) FROM mentions m LEFT JOIN entities e USING (entity_id)"
        " WHERE m.norm IS NOT NULL",
    )
    for label in ("PERSON", "COUNTRY", "WEAPON"):
        counts = Counter(name for found, name in named if found == label)
        assert counts, label  # the two articles name all three kinds
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:5]
        assert f"  top {label.lower():8} {', '.join(f'{name} ({n})' for name, n in top)}\n" in out


def test_backfill_loads_the_new_page_and_knows_the_one_it_has(commands: Commands) -> None:
    out = _output(commands, "backfill")
    found = re.search(
        r"Backfill (\w+): (\d+) new, (\d+) changed, (\d+) unchanged, (\d+) failed; (\d+) mentions\.", out
    )
    assert found, out
    run_id, *counts = found.groups()
    new, changed, unchanged, failed, mentions = map(int, counts)
    db = commands.after["backfill"]
    assert (new, changed, unchanged, failed) == (1, 0, 1, 0)
    urls = {url for (url,) in _rows(db, "SELECT url FROM articles")}
    assert urls - {url for (url,) in _rows(commands.after["run"], "SELECT url FROM articles")} == {
        commands.urls[2]
    }
    assert urls == set(commands.urls)  # the page behind tracking parameters is the one already there
    assert mentions > 0
    assert _rows(db, "SELECT count(*) FROM mentions WHERE run_id = ?", run_id) == [(mentions,)]
    hits = commands.server.hits
    assert hits.get(f"/articles/{NOT_IN_FEED}.html") == 1  # allow_hosts from --config let it through


def test_reprocess_all_reruns_every_article_and_changes_nothing(commands: Commands) -> None:
    out = _output(commands, "reprocess")
    found = re.search(
        r"Re-ran (\d+) articles with pipeline (\S+); (\d+) changed, (\d+) mentions written\.", out
    )
    assert found, out
    articles, version, changed, mentions = found.groups()
    before, after = commands.after["backfill"], commands.after["reprocess"]
    # --all: none is stale (the same pipeline read them all), yet every article ran again.
    assert _rows(before, "SELECT DISTINCT pipeline_version FROM mentions") == [(version,)]
    assert int(articles) == _rows(after, "SELECT count(*) FROM articles")[0][0] == 3
    ((total,),) = _rows(after, "SELECT count(*) FROM mentions")
    assert int(mentions) == total == _rows(before, "SELECT count(*) FROM mentions")[0][0]
    assert _rows(after, "SELECT DISTINCT run_id FROM mentions") == [(_run_id(commands, "reprocess"),)]
    assert int(changed) == 0  # the same models find the same mentions
    rows = re.findall(r"^  (\w+) +added (\d+), removed (\d+), changed norm (\d+)$", out, re.MULTILINE)
    assert [label for label, *_ in rows] == ["COUNTRY", "PERSON", "WEAPON"]
    assert {tuple(counts) for _, *counts in rows} == {("0", "0", "0")}


def _flow_run_events(client: SyncPrefectClient, run_id: str, wanted: set[str]) -> set[str]:
    """The names of the events about the flow run named `run_id` (the warehouse's run id), once
    `wanted` are among them or 20 s have passed: the server stores events a few seconds late."""
    (flow_run,) = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[run_id])))
    deadline = time.monotonic() + 20
    while True:
        page = client.read_events(
            EventFilter(
                event=EventNameFilter(prefix=["prefect.flow-run."]),
                any_resource=EventAnyResourceFilter(id=[f"prefect.flow-run.{flow_run.id}"]),
            ),
            limit=50,
        )
        names = {event.event for event in page.events}
        if wanted <= names or time.monotonic() > deadline:
            return names
        time.sleep(0.5)


def test_only_a_run_that_asks_sends_heartbeats(commands: Commands) -> None:
    """A one-off run ends without Prefect's heartbeat thread (joining it costs up to 1 s a run);
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY, as given to reprocess, brings the heartbeats back."""
    quiet = [_run_id(commands, "run"), _run_id(commands, "backfill")]
    asked = _run_id(commands, "reprocess")
    completed = "prefect.flow-run.Completed"
    with get_client(sync_client=True) as client:
        assert {HEARTBEAT, completed} <= _flow_run_events(client, asked, {HEARTBEAT, completed})
        for run_id in quiet:  # stored by now: they ended before the run above began
            names = _flow_run_events(client, run_id, {completed})
            assert completed in names and HEARTBEAT not in names, (run_id, names)
