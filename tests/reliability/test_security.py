"""Security cases beyond the network: injected markup, SQL-looking input, analysts' SQL kept inside the
warehouse, the UI server's address."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipeline.evidence import evidence_pages
from pipeline.records import Article, Mention
from pipeline.review import ReviewArticle, table_rows
from tests.conftest import REPO, load_article
from tests.server import FaultServer
from warehouse.queries import open_reader, run_named
from warehouse.report import gather, render

SECURITY = "Security: injection and exposure"
TITLE = "<script>alert('x')</script><b>Drones</b> [click](javascript:alert(1)) '); DROP TABLE articles; --"
AT = datetime(2024, 5, 2, 9, tzinfo=UTC)


def _hostile(tmp_path: Path) -> tuple[Path, Article, Mention]:
    text = f"{TITLE}\nJapan bought drones."
    start = text.index("Japan")
    article = Article(
        "a1", "https://x.example/a", TITLE, None, AT, "feed", "X", "en", text, "h", "t", "ok", AT
    )
    mention = Mention(
        "a1", start, start + 5, "Japan", "COUNTRY", "JPN", "gazetteer", "name", 0.9, text[start:], start
    )
    db = tmp_path / "w.duckdb"
    load_article(db, article, [mention])
    return db, article, mention


@pytest.mark.case(SECURITY, "Title with markup and script, in the HTML report", "shown as text, nothing runs")
def test_report_shows_hostile_titles_as_text(tmp_path: Path) -> None:
    db, _, _ = _hostile(tmp_path)
    with open_reader(db) as con:
        html = render(gather(con, days=7))
    assert "<script>alert" not in html and "<b>Drones" not in html
    assert "&lt;script&gt;alert(" in html


@pytest.mark.case(SECURITY, "Title with markup and script, in the review artifacts", "escaped Markdown")
def test_review_artifacts_escape_hostile_titles(tmp_path: Path) -> None:
    _, article, mention = _hostile(tmp_path)
    review = ReviewArticle("a1", article.url, article.title, "X", AT, (mention,))
    ((_, markdown),) = evidence_pages([review], "evidence", 100_000)
    assert "<script>" not in markdown and "<b>" not in markdown
    assert "](javascript:" not in markdown  # the title's own link syntax is escaped, not a link
    assert all("<script>" not in str(value) for row in table_rows([review]) for value in row.values())


@pytest.mark.case(SECURITY, "SQL in article text and in query parameters", "stored and matched as data")
def test_sql_looking_input_is_only_data(tmp_path: Path) -> None:
    db, _, _ = _hostile(tmp_path)
    with open_reader(db) as con:
        titles = con.execute("SELECT title FROM articles").fetchall()
        rows = run_named(con, "weapons_with_country", {"country": "x' OR 1=1; DROP TABLE mentions; --"}).rows
        remaining = con.execute("SELECT count(*) FROM mentions").fetchall()
    assert titles == [(TITLE,)]
    assert rows == [] and remaining == [(1,)]


NEWSINT = Path(sys.executable).with_name("newsint")
SECRET = "c0nfidential-41b7"


def _sql(db: Path, query: str) -> subprocess.CompletedProcess[str]:
    """`newsint sql` as an analyst types it. HOME is the test's folder, so anything DuckDB would keep
    under ~/.duckdb (installed extensions) lands where the test looks for it."""
    config = db.parent / "newsint.toml"
    config.touch()
    return subprocess.run(
        [str(NEWSINT), "sql", query, "--db", str(db), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=db.parent,
        env={**os.environ, "HOME": str(db.parent)},
    )


def _case(short: str, name: str, expected: str, *values: str) -> pytest.ParameterSet:
    mark = pytest.mark.case(SECURITY, f"`newsint sql`: {name}", expected)
    return pytest.param(*values, id=short, marks=mark)


@pytest.mark.parametrize(
    "query",
    [
        _case(
            "copy", "COPY a table to a file", "refused, no file", "COPY (FROM articles) TO '{tmp}/out.csv'"
        ),
        _case(
            "export-database",
            "EXPORT DATABASE to a folder",
            "refused, no folder",
            "EXPORT DATABASE '{tmp}/out'",
        ),
        _case(
            "attach",
            "ATTACH another file read-write, CREATE TABLE in it",
            "refused, no file",
            "ATTACH '{tmp}/out.duckdb' AS other (READ_ONLY false); CREATE TABLE other.t AS FROM articles",
        ),
        _case(
            "set-external-access",
            "SET enable_external_access = true, then COPY",
            "refused, no file",
            "SET enable_external_access = true; COPY (SELECT 1) TO '{tmp}/out.csv'",
        ),
        _case(
            "set-allowed-directories",
            "SET allowed_directories to a folder, then COPY there",
            "configuration locked, no file",
            "SET allowed_directories = ['{tmp}']; COPY (SELECT 1) TO '{tmp}/out.csv'",
        ),
        _case(
            "unlock",
            "SET lock_configuration = false, then widen access and COPY",
            "configuration locked, no file",
            "SET lock_configuration = false; SET allowed_directories = ['{tmp}'];"
            " COPY (SELECT 1) TO '{tmp}/out.csv'",
        ),
        _case(
            "reset-lock",
            "RESET lock_configuration, then COPY",
            "configuration locked, no file",
            "RESET lock_configuration; COPY (SELECT 1) TO '{tmp}/out.csv'",
        ),
    ],
)
def test_analyst_sql_writes_no_file(tmp_path: Path, query: str) -> None:
    db, _, _ = _hostile(tmp_path)
    result = _sql(db, query.format(tmp=tmp_path))
    assert result.returncode != 0
    assert list(tmp_path.glob("out*")) == []


@pytest.mark.parametrize(
    ("query", "leak"),
    [
        _case(
            "read_csv",
            "read_csv of a file outside the warehouse",
            "refused, content not shown",
            "read_csv('{dir}/notes.csv')",
            SECRET,
        ),
        _case(
            "read_text",
            "read_text of a file outside the warehouse",
            "refused, content not shown",
            "read_text('{dir}/notes.csv')",
            SECRET,
        ),
        _case(
            "read_parquet",
            "read_parquet of a file outside the warehouse",
            "refused, content not shown",
            "read_parquet('{dir}/notes.parquet')",
            SECRET,
        ),
        _case(
            "glob", "glob listing a folder", "refused, names not shown", "glob('{dir}/*')", "notes.parquet"
        ),
    ],
)
def test_analyst_sql_reads_no_outside_file(tmp_path: Path, query: str, leak: str) -> None:
    db, _, _ = _hostile(tmp_path)
    private = tmp_path / "private"
    private.mkdir()
    (private / "notes.csv").write_text(f"note\n{SECRET}\n", encoding="utf-8")
    duckdb.sql(f"COPY (SELECT '{SECRET}' AS note) TO '{private / 'notes.parquet'}'")
    result = _sql(db, f"SELECT * FROM {query.format(dir=private)}")
    assert result.returncode != 0
    assert leak not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "query",
    [
        _case(
            "force-install",
            "FORCE INSTALL an extension from a server",
            "refused, no request",
            "FORCE INSTALL httpfs FROM '{url}/'",
        ),
        _case(
            "install",
            "INSTALL an extension from a URL",
            "refused, no request",
            "INSTALL '{url}/evil.duckdb_extension'",
        ),
        _case(
            "load",
            "LOAD an extension from a URL, autoinstalling httpfs from a server",
            "refused, no request",
            "SET autoinstall_extension_repository = '{url}'; LOAD '{url}/evil.duckdb_extension'",
        ),
        _case(
            "autoload",
            "read an http:// file, autoloading httpfs from a server",
            "refused, no request",
            "SET autoinstall_extension_repository = '{url}'; SELECT * FROM read_csv('{url}/feeds/a.csv')",
        ),
    ],
)
def test_analyst_sql_installs_and_loads_no_extension(tmp_path: Path, server: FaultServer, query: str) -> None:
    db, _, _ = _hostile(tmp_path)
    result = _sql(db, query.format(url=server.url))
    assert result.returncode != 0
    assert server.hits == {}
    assert not (tmp_path / ".duckdb").exists()  # no extension folder made under HOME


def _listening(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.case(SECURITY, "The Prefect server newsint starts (make ui)", "listens on 127.0.0.1 only")
def test_ui_server_listens_on_loopback_only(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NEWSINT_UI_PORT": str(port), "NEWSINT_UI_HOME": str(tmp_path / "prefect")}
    server = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "ui.sh")],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not _listening(port) and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.5)
        addresses = _listening(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert addresses == {"0100007F"}  # 127.0.0.1, in /proc's little-endian hex
