-- The first schema: feeds and what polling them found, articles, mentions, entities, runs.

CREATE TABLE feeds (
    feed_url        TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    source_group    TEXT NOT NULL DEFAULT 'default',
    etag            TEXT,
    last_modified   TEXT,
    content_hash    TEXT,
    last_polled_at  TIMESTAMPTZ,
    last_status     TEXT,
    last_error      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);
COMMENT ON TABLE feeds IS 'One row per configured feed, with its conditional-GET validators and health.';

CREATE TABLE entries (
    article_id      TEXT NOT NULL,
    feed_url        TEXT NOT NULL,
    url             TEXT NOT NULL,
    title           TEXT,
    published_at    TIMESTAMPTZ,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    first_run_id    TEXT NOT NULL,
    PRIMARY KEY (article_id, feed_url)
);
COMMENT ON TABLE entries IS 'Every feed item seen, once per feed; an entry without an article row is still to fetch.';

CREATE TABLE articles (
    article_id       TEXT PRIMARY KEY,
    url              TEXT NOT NULL,
    title            TEXT,
    author           TEXT,
    published_at     TIMESTAMPTZ,
    published_method TEXT,
    site             TEXT,
    language         TEXT,
    status           TEXT NOT NULL,
    text             TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    extraction       TEXT NOT NULL,
    fetched_at       TIMESTAMPTZ NOT NULL,
    run_id           TEXT NOT NULL,
    pipeline_version TEXT
);
COMMENT ON TABLE articles IS 'One row per article (id = hash of the canonical URL): main text and metadata.';
COMMENT ON COLUMN articles.status IS 'ok, or non_english (stored, not run through the English model).';
COMMENT ON COLUMN articles.published_method IS 'Where published_at came from: feed or page metadata.';

CREATE TABLE mentions (
    article_id       TEXT NOT NULL,
    start_char       INTEGER NOT NULL,
    end_char         INTEGER NOT NULL,
    text             TEXT NOT NULL,
    label            TEXT NOT NULL,
    norm             TEXT,
    entity_id        TEXT,
    method           TEXT NOT NULL,
    kind             TEXT,
    confidence       DOUBLE NOT NULL,
    sentence         TEXT NOT NULL,
    sentence_start   INTEGER NOT NULL,
    attrs            JSON,
    pipeline_version TEXT NOT NULL,
    run_id           TEXT NOT NULL
);
COMMENT ON TABLE mentions IS 'Each mention of a person, country or weapon: span in articles.text, sentence, norm, evidence.';
COMMENT ON COLUMN mentions.norm IS 'PERSON: full name; COUNTRY: ISO 3166-1 alpha-3 (NULL when unresolved); WEAPON: system or class.';
COMMENT ON COLUMN mentions.method IS 'How it was found: model, gazetteer or pattern.';
COMMENT ON COLUMN mentions.kind IS 'How the norm was reached: name, alias, abbreviation, adjective, capital, compound, short_form, generic, ...';

CREATE TABLE entities (
    entity_id   TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    norm        TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT,
    origin      TEXT,
    aliases     TEXT[] NOT NULL DEFAULT [],
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE entities IS 'One row per canonical person, country or weapon, with the surface forms seen.';

CREATE TABLE runs (
    run_id           TEXT PRIMARY KEY,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    status           TEXT NOT NULL,
    pipeline_version TEXT,
    spacy_model      TEXT,
    feeds_polled     INTEGER,
    feeds_not_modified INTEGER,
    feeds_failed     INTEGER,
    articles_new     INTEGER,
    articles_changed INTEGER,
    articles_unchanged INTEGER,
    articles_failed  INTEGER,
    mentions         INTEGER
);
COMMENT ON TABLE runs IS 'One row per ingest run, with what it did and the pipeline version it used.';

CREATE TABLE fetch_events (
    run_id      TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    stage       TEXT NOT NULL,
    url         TEXT NOT NULL,
    article_id  TEXT,
    status      TEXT NOT NULL,
    http_status INTEGER,
    error       TEXT,
    bytes       BIGINT,
    elapsed_ms  INTEGER
);
COMMENT ON TABLE fetch_events IS 'Every feed poll and page fetch that did not simply succeed: status, error, timing, bytes.';
