-- Analysts' verdicts on weapon events, and the events read through them: an event judged no event
-- leaves every view and named query, a wrong type, wrong roles or a wrong status counts as corrected.
--
-- An event verdict names its event by an anchor as a mention verdict does (pipeline/verdicts.py):
-- the article, the event's type, the weapon's words and the 32 characters on each side of them.
-- Every event row carries the hash of its anchor (item_id, written by the loader), so the verdict
-- finds the event again after reprocessing or an edit elsewhere in the article.

ALTER TABLE events ADD COLUMN item_id TEXT;
UPDATE events SET item_id = mention_item_id(events.article_id, events.type, a.text,
                                            events.weapon_start, events.weapon_end)
FROM articles a WHERE a.article_id = events.article_id;
COMMENT ON COLUMN events.item_id IS 'Hash of the event''s anchor (article, type, the weapon''s words, 32 characters either side): the review item it is, the same after reprocessing; event_verdicts join on it.';

CREATE SEQUENCE event_verdict_id_seq;

CREATE TABLE event_verdicts (
    verdict_id       BIGINT PRIMARY KEY DEFAULT nextval('event_verdict_id_seq'),
    item_id          TEXT NOT NULL,
    verdict          TEXT NOT NULL CHECK (verdict IN ('correct', 'not_event', 'wrong_type', 'wrong_roles', 'wrong_status')),
    correction       TEXT,
    reviewer         TEXT NOT NULL,
    queue            TEXT NOT NULL CHECK (queue IN ('low_confidence', 'sample')),
    judged_at        TIMESTAMPTZ NOT NULL,
    article_id       TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    type             TEXT NOT NULL,
    weapon           TEXT NOT NULL,
    weapon_text      TEXT NOT NULL,
    context_before   TEXT NOT NULL,
    context_after    TEXT NOT NULL,
    actors           TEXT[] NOT NULL,
    counterparts     TEXT[] NOT NULL,
    status           TEXT NOT NULL,
    method           TEXT NOT NULL,
    confidence       DOUBLE NOT NULL,
    pipeline_version TEXT NOT NULL,
    new_type         TEXT,
    new_actors       TEXT[],
    new_counterparts TEXT[],
    new_status       TEXT
);
COMMENT ON TABLE event_verdicts IS 'Every verdict an analyst gave on a weapon event, never updated: the latest for an item_id wins (latest_event_verdicts). The anchor and the event as judged are kept, so a verdict outlives the row it was given on.';
COMMENT ON COLUMN event_verdicts.verdict IS 'correct; not_event (the sentence says no such thing: dropped from every view); wrong_type, wrong_roles, wrong_status (counted as corrected).';
COMMENT ON COLUMN event_verdicts.correction IS 'As the analyst gave it: the right type, the right status, or the right roles as ''actors > counterparts'' (ISO alpha-3 codes).';
COMMENT ON COLUMN event_verdicts.queue IS 'low_confidence (the least confident events), or sample (a uniform random sample: the only one precision is estimated from).';
COMMENT ON COLUMN event_verdicts.type IS 'The event''s type as extracted (part of the anchor, with weapon_text and the contexts).';
COMMENT ON COLUMN event_verdicts.context_before IS 'Up to 32 characters of the article before the weapon''s words (part of the anchor); context_after those after.';
COMMENT ON COLUMN event_verdicts.new_type IS 'The type the event counts as from now on (wrong_type).';
COMMENT ON COLUMN event_verdicts.new_actors IS 'The actors it counts with from now on (wrong_roles; new_counterparts likewise).';
COMMENT ON COLUMN event_verdicts.new_status IS 'The status it counts with from now on (wrong_status).';

CREATE VIEW latest_event_verdicts AS
SELECT * FROM event_verdicts
QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY judged_at DESC, verdict_id DESC) = 1;
COMMENT ON VIEW latest_event_verdicts IS 'The event verdict in force for each item: its latest.';

CREATE VIEW events_reviewed AS
SELECT e.* REPLACE (
           coalesce(v.new_type, e.type) AS type,
           coalesce(v.new_actors, e.actors) AS actors,
           coalesce(v.new_counterparts, e.counterparts) AS counterparts,
           coalesce(v.new_status, e.status) AS status
       ),
       v.verdict
FROM events e
LEFT JOIN latest_event_verdicts v ON v.item_id = e.item_id
WHERE v.verdict IS DISTINCT FROM 'not_event';
COMMENT ON VIEW events_reviewed IS 'The weapon events as analysts judged them: not_event ones left out, wrong types, roles and statuses corrected. event_reports, and so every event view and named query, reads these.';
COMMENT ON COLUMN events_reviewed.verdict IS 'The event''s own verdict in force; NULL when nobody judged it.';

CREATE VIEW event_verdicts_unmatched AS
SELECT v.verdict_id, v.item_id, v.verdict, v.correction, v.reviewer, v.queue, v.judged_at,
       v.article_id, v.type, v.weapon_text, v.context_before, v.context_after, v.pipeline_version
FROM latest_event_verdicts v
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.item_id = v.item_id);
COMMENT ON VIEW event_verdicts_unmatched IS 'Event verdicts in force whose anchor no current event has (the extraction no longer finds it, or the text changed around the weapon): kept and listed, to judge again or let go.';

-- The views over events (arms_transfers, weapon_tests, weapon_activity and their macros, which the
-- named queries call) all read event_reports: reading it through the verdicts makes them follow.
CREATE OR REPLACE VIEW event_reports AS
SELECT e.event_id, e.article_id, article_day(a.published_at, a.fetched_at) AS day,
       e.type, e.weapon, e.actors, e.counterparts, e.status,
       e.status IN ('ongoing', 'completed', 'claimed') AS took_place,
       e.quantity, e.value_amount, e.value_currency, e."when" AS said_when, e.sentence,
       a.title, a.url
FROM events_reviewed e
JOIN articles a USING (article_id)
WHERE NOT e.negated AND e.status <> 'denied';
COMMENT ON VIEW event_reports IS 'The weapon events that count, as analysts judged them (events_reviewed): every event neither negated nor denied, with its article''s publication day (UTC), title and URL.';
COMMENT ON COLUMN event_reports.took_place IS 'Whether the sentence says it happened or is happening (ongoing, completed, claimed) rather than planned or approved.';
COMMENT ON COLUMN event_reports.said_when IS 'events."when": a date or year the sentence gives.';
