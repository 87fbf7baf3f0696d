-- Weapon events: what one sentence says a country did with a weapon (a transfer, a test, a
-- deployment...), as the extraction writes them (`pipeline.event_table`). Like mentions, an
-- article's events are replaced whole by the loader in the transaction that replaces its mentions.
--
-- The views count what the articles report as having happened or being arranged: an event the
-- sentence negates ("did not deliver") or a party denies is left out of every view (it stays in
-- `events`, where `negated OR status = 'denied'` finds it). Dates are publication days (UTC), as in
-- the other views; a date the sentence itself gives is in events."when".

-- The id of an event: its article, sentence, weapon mention and type, which a re-extraction of
-- the same text gives again.
CREATE MACRO weapon_event_id(article_id, start_char, weapon_start, weapon_end, type) AS
    md5(concat_ws('|', article_id, start_char, weapon_start, weapon_end, type));

CREATE TABLE events (
    event_id         TEXT PRIMARY KEY,
    article_id       TEXT NOT NULL,
    start_char       INTEGER NOT NULL,
    end_char         INTEGER NOT NULL,
    sentence         TEXT NOT NULL,
    type             TEXT NOT NULL,
    weapon           TEXT NOT NULL,
    weapon_start     INTEGER NOT NULL,
    weapon_end       INTEGER NOT NULL,
    weapon_text      TEXT NOT NULL,
    actors           TEXT[] NOT NULL,
    counterparts     TEXT[] NOT NULL,
    status           TEXT NOT NULL,
    quantity         BIGINT,
    value_amount     DOUBLE,
    value_currency   TEXT,
    "when"           TEXT,
    negated          BOOLEAN NOT NULL,
    method           TEXT NOT NULL,
    cue              TEXT NOT NULL,
    confidence       DOUBLE NOT NULL,
    pipeline_version TEXT NOT NULL,
    run_id           TEXT NOT NULL
);
COMMENT ON TABLE events IS 'Each weapon event: what one sentence of an article says a country did with a weapon (transfer, acquisition, development, test, deployment, use, interception). The sentence is the evidence; negated and denied events are kept here and left out of the views.';
COMMENT ON COLUMN events.event_id IS 'weapon_event_id(article_id, start_char, weapon_start, weapon_end, type): the same for the same event when the article is processed again.';
COMMENT ON COLUMN events.start_char IS 'Where the sentence starts in articles.text (end_char: where it ends).';
COMMENT ON COLUMN events.sentence IS 'The sentence that says it: the evidence.';
COMMENT ON COLUMN events.type IS 'transfer (offered, sold, ordered, donated, delivered), acquisition (bought or inducted, no supplier named), development, test, deployment, use (fired in combat), interception.';
COMMENT ON COLUMN events.weapon IS 'The norm of the WEAPON mention the event is about (mentions.norm): a named system or a class such as cruise missile.';
COMMENT ON COLUMN events.weapon_start IS 'Where the weapon mention starts in articles.text (weapon_end: where it ends; weapon_text: as written).';
COMMENT ON COLUMN events.actors IS 'ISO 3166-1 alpha-3 codes of who acts: the supplier (transfer), buyer (acquisition), developers, testers, deployers, users, the defender (interception). Empty when the sentence names none.';
COMMENT ON COLUMN events.counterparts IS 'ISO 3166-1 alpha-3 codes of the other side: the recipient (transfer), the host country (deployment), the target (use), the weapon''s owner (interception).';
COMMENT ON COLUMN events.status IS 'planned (plans, offers, agreements), approved (cleared, authorised), ongoing, completed (done, delivered, tested, deployed), claimed (one party says so, unconfirmed), denied.';
COMMENT ON COLUMN events.quantity IS 'The number of systems or munitions, when the sentence gives one.';
COMMENT ON COLUMN events.value_amount IS 'The value the sentence gives, in value_currency (ISO 4217, e.g. USD): 1.1 billion dollars is 1100000000 USD.';
COMMENT ON COLUMN events."when" IS 'A date or year the sentence itself gives (as written); NULL when it gives none.';
COMMENT ON COLUMN events.negated IS 'True when the sentence says it did not or will not happen.';
COMMENT ON COLUMN events.method IS 'The extraction rule that found it; cue is the word that says what happened (tested, sale).';
COMMENT ON COLUMN events.pipeline_version IS 'The pipeline version that extracted it, as on its mentions.';

-- A list of countries, or one NULL when it is empty, so unnesting it keeps the event.
CREATE MACRO countries_or_null(codes) AS CASE WHEN len(codes) > 0 THEN codes ELSE [NULL] END;

-- Statuses in the order a deal or a test goes through them (claimed first: unconfirmed).
CREATE MACRO status_stage(status) AS
    list_position(['claimed', 'planned', 'approved', 'ongoing', 'completed'], status);

CREATE VIEW event_reports AS
SELECT e.event_id, e.article_id, article_day(a.published_at, a.fetched_at) AS day,
       e.type, e.weapon, e.actors, e.counterparts, e.status,
       e.status IN ('ongoing', 'completed', 'claimed') AS took_place,
       e.quantity, e.value_amount, e.value_currency, e."when" AS said_when, e.sentence,
       a.title, a.url
FROM events e
JOIN articles a USING (article_id)
WHERE NOT e.negated AND e.status <> 'denied';
COMMENT ON VIEW event_reports IS 'The weapon events that count: every event neither negated nor denied, with its article''s publication day (UTC), title and URL.';
COMMENT ON COLUMN event_reports.took_place IS 'Whether the sentence says it happened or is happening (ongoing, completed, claimed) rather than planned or approved.';
COMMENT ON COLUMN event_reports.said_when IS 'events."when": a date or year the sentence gives.';

-- Transfers with each supplier and recipient, reported from `since` to `until` (publication days;
-- NULL: no bound). A purchase with no supplier named (acquisition) has its buyer as recipient.
CREATE MACRO arms_transfer_rows(since := NULL, until := NULL) AS TABLE
WITH reports AS (
    SELECT * FROM event_reports
    WHERE type IN ('transfer', 'acquisition')
      AND (since IS NULL OR day >= since) AND (until IS NULL OR day <= until)
),
suppliers AS (
    SELECT *, unnest(CASE WHEN type = 'transfer' THEN countries_or_null(actors) ELSE [NULL] END) AS supplier
    FROM reports
),
pairs AS (
    SELECT *,
           unnest(countries_or_null(CASE WHEN type = 'transfer' THEN counterparts ELSE actors END)) AS recipient
    FROM suppliers
),
deals AS (
    SELECT supplier, recipient, weapon,
           arg_max(status, (day, status_stage(status))) AS status,
           list_sort(list_distinct(list(status))) AS statuses,
           arg_max(quantity, (day, quantity)) FILTER (WHERE quantity IS NOT NULL) AS quantity,
           arg_max({'amount': value_amount, 'currency': value_currency}, (day, value_amount))
               FILTER (WHERE value_amount IS NOT NULL) AS value,
           min(day) AS first_reported,
           max(day) AS last_reported,
           count(DISTINCT article_id) AS articles,
           count(*) AS reports,
           arg_max(sentence, (day, event_id)) AS evidence
    FROM pairs
    GROUP BY supplier, recipient, weapon
)
SELECT d.supplier, coalesce(s.name, d.supplier) AS supplier_name,
       d.recipient, coalesce(r.name, d.recipient) AS recipient_name,
       d.weapon, d.quantity, d.value.amount AS value_amount, d.value.currency AS value_currency,
       d.status, d.statuses, d.first_reported, d.last_reported, d.articles, d.reports, d.evidence
FROM deals d
LEFT JOIN entities s ON s.label = 'COUNTRY' AND s.norm = d.supplier
LEFT JOIN entities r ON r.label = 'COUNTRY' AND r.norm = d.recipient;

CREATE VIEW arms_transfers AS FROM arms_transfer_rows();
COMMENT ON VIEW arms_transfers IS 'One row per supplier, recipient and weapon: transfers (offers, sales, orders, donations, deliveries) and purchases with no supplier named (supplier NULL), as reported; negated and denied reports left out. Countries as ISO alpha-3 with their display names.';
COMMENT ON COLUMN arms_transfers.supplier IS 'ISO alpha-3 of the supplier; NULL for a purchase (acquisition) or a transfer whose sentence names none.';
COMMENT ON COLUMN arms_transfers.recipient IS 'ISO alpha-3 of the recipient (the buyer of an acquisition); NULL when the sentence names none.';
COMMENT ON COLUMN arms_transfers.quantity IS 'The number the latest report giving one states (the larger on a tie).';
COMMENT ON COLUMN arms_transfers.value_amount IS 'The value the latest report giving one states, in value_currency.';
COMMENT ON COLUMN arms_transfers.status IS 'The status of the latest report (on a tie, the furthest along: planned, approved, ongoing, completed); statuses lists every status reported.';
COMMENT ON COLUMN arms_transfers.first_reported IS 'The first publication day (UTC) of an article reporting it; last_reported the latest.';
COMMENT ON COLUMN arms_transfers.articles IS 'Articles reporting it; reports counts the sentences.';
COMMENT ON COLUMN arms_transfers.evidence IS 'The sentence of the latest report.';

-- Tests that took place, per month, tester and weapon, reported from `since` to `until`.
CREATE MACRO weapon_test_rows(since := NULL, until := NULL) AS TABLE
WITH testers AS (
    SELECT CAST(date_trunc('month', day) AS DATE) AS month, day, article_id, weapon,
           unnest(countries_or_null(actors)) AS country
    FROM event_reports
    WHERE type = 'test' AND took_place
      AND (since IS NULL OR day >= since) AND (until IS NULL OR day <= until)
)
SELECT t.month, t.country, coalesce(k.name, t.country) AS country_name, t.weapon,
       count(DISTINCT t.day) AS tests,
       count(*) AS reports,
       count(DISTINCT t.article_id) AS articles,
       min(t.day) AS first_reported,
       max(t.day) AS last_reported
FROM testers t
LEFT JOIN entities k ON k.label = 'COUNTRY' AND k.norm = t.country
GROUP BY t.month, t.country, k.name, t.weapon;

CREATE VIEW weapon_tests AS FROM weapon_test_rows();
COMMENT ON VIEW weapon_tests IS 'Weapon tests that took place (ongoing, completed or claimed; planned, negated and denied ones left out), per month of publication, tester and weapon.';
COMMENT ON COLUMN weapon_tests.country IS 'ISO alpha-3 of the tester; NULL when the sentence names none.';
COMMENT ON COLUMN weapon_tests.tests IS 'Publication days with a report of it: one test written up by several articles on one day counts once.';
COMMENT ON COLUMN weapon_tests.reports IS 'Sentences reporting it; articles counts their articles.';

CREATE VIEW weapon_activity AS
WITH roles AS (
    SELECT article_id, day, weapon, type, took_place, unnest(actors) AS country, 'actor' AS role
    FROM event_reports
    UNION ALL
    SELECT article_id, day, weapon, type, took_place, unnest(counterparts), 'counterpart'
    FROM event_reports WHERE type IN ('transfer', 'deployment')
)
SELECT r.country, coalesce(any_value(k.name), r.country) AS country_name, r.weapon,
       count(*) FILTER (WHERE took_place AND type = 'transfer' AND role = 'actor') AS supplied,
       count(*) FILTER (WHERE took_place AND type = 'transfer' AND role = 'counterpart') AS received,
       count(*) FILTER (WHERE took_place AND type = 'acquisition') AS acquired,
       count(*) FILTER (WHERE took_place AND type = 'development') AS developed,
       count(*) FILTER (WHERE took_place AND type = 'test') AS tested,
       count(*) FILTER (WHERE took_place AND type = 'deployment' AND role = 'actor') AS deployed,
       count(*) FILTER (WHERE took_place AND type = 'deployment' AND role = 'counterpart') AS hosted,
       count(*) FILTER (WHERE took_place AND type = 'use') AS used,
       count(*) FILTER (WHERE took_place AND type = 'interception') AS intercepted,
       count(*) FILTER (WHERE NOT took_place) AS planned,
       count(DISTINCT article_id) AS articles,
       min(day) AS first_reported,
       max(day) AS last_reported
FROM roles r
LEFT JOIN entities k ON k.label = 'COUNTRY' AND k.norm = r.country
GROUP BY r.country, r.weapon;
COMMENT ON VIEW weapon_activity IS 'Per country and weapon, the reports of each thing it did with it that took place (supplied, received, acquired, developed, tested, deployed, hosted, used, intercepted with it), and of those only planned or approved (planned). Negated and denied reports left out.';
COMMENT ON COLUMN weapon_activity.received IS 'Transfers with this country as recipient that took place (delivered, under way or claimed).';
COMMENT ON COLUMN weapon_activity.hosted IS 'Deployments of the weapon in this country by another.';
COMMENT ON COLUMN weapon_activity.intercepted IS 'Interceptions this country (the defender) made, the weapon being the one named in the sentence.';
COMMENT ON COLUMN weapon_activity.planned IS 'Reports of any type still planned or approved.';
COMMENT ON COLUMN weapon_activity.articles IS 'Articles with any report counted in this row; first_reported and last_reported their publication days.';
