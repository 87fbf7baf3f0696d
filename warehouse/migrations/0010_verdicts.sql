-- Analysts' verdicts on mentions, and the data read through them: a mention judged no entity
-- leaves every count, a wrong label or norm is counted as corrected, and an entity judged the
-- same as another is counted as that one.
--
-- A verdict names its mention by an anchor (pipeline/verdicts.py): the article, the label, the
-- mention's words and the 32 characters on each side. Every mention row carries the hash of its
-- anchor (item_id), written by the loader, so reprocessing or a new model finds the verdict again
-- wherever the same words stand in the same place.
--
-- The per-article summaries (migration 0005) are summed from the mentions as judged: the loader
-- reads each batch through `reviewed_mentions`, and recording verdicts re-sums the articles they
-- touch in the same transaction. Every view and named query over the summaries, fast as before,
-- so follows the verdicts.

-- The anchor's hash, as pipeline.verdicts.Anchor.item_id computes it: MD5 of article id, label,
-- the mention's text and its context, joined by the unit separator; 16 hex digits. NULL without
-- the article's text.
CREATE MACRO mention_item_id(article_id, label, article_text, start_char, end_char) AS
    CASE WHEN article_text IS NOT NULL THEN left(md5(concat_ws(chr(31), article_id, label,
        substr(article_text, start_char + 1, end_char - start_char),
        substr(article_text, greatest(start_char - 32, 0) + 1, start_char - greatest(start_char - 32, 0)),
        substr(article_text, end_char + 1, 32))), 16) END;

ALTER TABLE mentions ADD COLUMN item_id TEXT;
UPDATE mentions SET item_id = mention_item_id(mentions.article_id, mentions.label, a.text,
                                              mentions.start_char, mentions.end_char)
FROM articles a WHERE a.article_id = mentions.article_id;
COMMENT ON COLUMN mentions.item_id IS 'Hash of the mention''s anchor (article, label, words, 32 characters either side): the review item it is, the same after reprocessing; verdicts join on it.';

CREATE SEQUENCE verdict_id_seq;

CREATE TABLE verdicts (
    verdict_id       BIGINT PRIMARY KEY DEFAULT nextval('verdict_id_seq'),
    item_id          TEXT NOT NULL,
    verdict          TEXT NOT NULL CHECK (verdict IN ('correct', 'not_entity', 'wrong_label', 'wrong_norm', 'merge')),
    correction       TEXT,
    reviewer         TEXT NOT NULL,
    queue            TEXT NOT NULL CHECK (queue IN ('new', 'low_confidence', 'sample')),
    judged_at        TIMESTAMPTZ NOT NULL,
    article_id       TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    label            TEXT NOT NULL,
    text             TEXT NOT NULL,
    context_before   TEXT NOT NULL,
    context_after    TEXT NOT NULL,
    norm             TEXT,
    entity_id        TEXT,
    method           TEXT NOT NULL,
    kind             TEXT,
    confidence       DOUBLE NOT NULL,
    pipeline_version TEXT NOT NULL,
    new_label        TEXT,
    new_norm         TEXT,
    new_entity_id    TEXT
);
COMMENT ON TABLE verdicts IS 'Every verdict an analyst gave on a mention, never updated: the latest for an item_id wins (latest_verdicts). The anchor and the mention as judged are kept, so a verdict outlives the row it was given on.';
COMMENT ON COLUMN verdicts.verdict IS 'correct; not_entity (no person, country or weapon: dropped from every count); wrong_label, wrong_norm (counted as corrected); merge (the mention''s entity is the same as another: all its mentions count as that one).';
COMMENT ON COLUMN verdicts.correction IS 'As the analyst gave it: the right label (wrong_label), the right norm (wrong_norm), the other entity''s norm or id (merge).';
COMMENT ON COLUMN verdicts.queue IS 'The review queue it came from: new (entities first seen in recent runs), low_confidence, or sample (a uniform random sample: the only one precision is estimated from).';
COMMENT ON COLUMN verdicts.content_hash IS 'The article''s text as judged; the anchor itself is article_id, label, text and the contexts, so an edit elsewhere in the article keeps the verdict.';
COMMENT ON COLUMN verdicts.context_before IS 'Up to 32 characters of the article before the mention (part of the anchor).';
COMMENT ON COLUMN verdicts.context_after IS 'Up to 32 characters of the article after the mention (part of the anchor).';
COMMENT ON COLUMN verdicts.norm IS 'The norm the mention was counted by when judged (mentions.entity_norm).';
COMMENT ON COLUMN verdicts.entity_id IS 'The entity the mention named when judged; a merge maps every mention of it.';
COMMENT ON COLUMN verdicts.new_label IS 'The label the mention is counted under from now on (wrong_label; a merge: the other entity''s).';
COMMENT ON COLUMN verdicts.new_norm IS 'The norm it is counted by from now on (wrong_norm; a merge: the other entity''s).';
COMMENT ON COLUMN verdicts.new_entity_id IS 'The entity it names from now on (wrong_label, wrong_norm, merge).';

CREATE VIEW latest_verdicts AS
SELECT * FROM verdicts
QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY judged_at DESC, verdict_id DESC) = 1;
COMMENT ON VIEW latest_verdicts IS 'The verdict in force for each item: its latest.';

-- A merge into an entity that is itself merged follows on (A into B, B into C: A counts as C), at
-- most 8 steps; recording refuses a merge that would close a circle.
CREATE VIEW entity_merges AS
WITH RECURSIVE direct AS (
    SELECT entity_id AS from_entity_id,
           arg_max(new_entity_id, (judged_at, verdict_id)) AS entity_id,
           arg_max(new_label, (judged_at, verdict_id)) AS label,
           arg_max(new_norm, (judged_at, verdict_id)) AS norm
    FROM latest_verdicts
    WHERE verdict = 'merge' AND entity_id IS NOT NULL
    GROUP BY entity_id
),
chain AS (
    SELECT from_entity_id, entity_id, label, norm, 1 AS steps FROM direct
    UNION ALL
    SELECT c.from_entity_id, d.entity_id, d.label, d.norm, c.steps + 1
    FROM chain c JOIN direct d ON d.from_entity_id = c.entity_id
    WHERE c.steps < 8 AND d.entity_id <> c.from_entity_id
)
SELECT from_entity_id, arg_max(entity_id, steps) AS entity_id, arg_max(label, steps) AS label,
       arg_max(norm, steps) AS norm
FROM chain
GROUP BY from_entity_id;
COMMENT ON VIEW entity_merges IS 'Entities judged the same as another (from_entity_id counts as entity_id, label, norm): the latest merge verdict given on any of its mentions.';

-- The mentions of table or view `source` (mentions, or a loader's batch) as the verdicts have
-- them: not_entity rows gone, corrections applied, merged entities mapped; `verdict` is the
-- mention's own verdict in force (NULL: not judged).
CREATE MACRO reviewed_mentions(source) AS TABLE
SELECT m.* REPLACE (
           coalesce(g.label, v.new_label, m.label) AS label,
           coalesce(v.new_norm, m.norm) AS norm,
           coalesce(g.norm, v.new_norm, m.entity_norm) AS entity_norm,
           coalesce(g.entity_id, v.new_entity_id, m.entity_id) AS entity_id
       ),
       v.verdict
FROM query_table(source) m
LEFT JOIN latest_verdicts v ON v.item_id = m.item_id
LEFT JOIN entity_merges g ON g.from_entity_id = coalesce(v.new_entity_id, m.entity_id)
WHERE v.verdict IS DISTINCT FROM 'not_entity';

CREATE VIEW mentions_reviewed AS FROM reviewed_mentions('mentions');
COMMENT ON VIEW mentions_reviewed IS 'The mentions as analysts judged them: not_entity ones left out, wrong labels and norms corrected, merged entities counted as the other. The summaries, views and named queries count these.';
COMMENT ON COLUMN mentions_reviewed.verdict IS 'The mention''s own verdict in force; NULL when nobody judged it.';

CREATE VIEW verdicts_unmatched AS
SELECT v.verdict_id, v.item_id, v.verdict, v.correction, v.reviewer, v.queue, v.judged_at,
       v.article_id, v.label, v.text, v.context_before, v.context_after, v.norm, v.pipeline_version
FROM latest_verdicts v
WHERE NOT EXISTS (SELECT 1 FROM mentions m WHERE m.item_id = v.item_id);
COMMENT ON VIEW verdicts_unmatched IS 'Verdicts in force whose anchor no current mention has (the model no longer finds it there, or the article''s text changed around it): kept and listed, to judge again or let go.';

-- What analysts type finds a merged entity's mentions under the entity it was merged into.
CREATE OR REPLACE VIEW entity_aliases AS
WITH forms AS (
    SELECT entity_id, label, norm, name, unnest(aliases) AS alias, 'mentions' AS source, NULL AS family
    FROM entities
    UNION ALL
    SELECT entity_id, label, norm, name, alias, source, family FROM gazetteer_aliases
),
merged AS (
    SELECT coalesce(g.entity_id, f.entity_id) AS entity_id,
           coalesce(g.label, f.label) AS label, coalesce(g.norm, f.norm) AS norm,
           CASE WHEN g.entity_id IS NULL THEN f.name END AS name,
           f.alias, f.source, f.family
    FROM forms f
    LEFT JOIN entity_merges g ON g.from_entity_id = f.entity_id
)
SELECT f.entity_id,
       any_value(coalesce(e.label, f.label)) AS label,
       any_value(coalesce(e.norm, f.norm)) AS norm,
       any_value(coalesce(e.name, f.name, f.norm)) AS name,
       f.alias COLLATE NOCASE.NOACCENT AS alias,
       arg_min(f.source, f.source = 'mentions') AS source,
       bool_or(f.source = 'mentions') AS seen,
       any_value(f.family) AS family
FROM merged f
LEFT JOIN entities e USING (entity_id)
GROUP BY f.entity_id, f.alias COLLATE NOCASE.NOACCENT;
COMMENT ON VIEW entity_aliases IS 'One row per entity and name it goes by: the gazetteers'' aliases and the surface forms seen in mentions, an entity judged the same as another under that other. alias compares without regard to case or accents.';
COMMENT ON COLUMN entity_aliases.norm IS 'The norm its mentions carry (join mentions, article_entities or daily_mentions on label and norm).';
COMMENT ON COLUMN entity_aliases.alias IS 'A name of the entity, collated NOCASE.NOACCENT: alias = ''pac-3'' matches PAC-3, alias = ''turkiye'' matches Türkiye.';
COMMENT ON COLUMN entity_aliases.source IS 'The models file listing the alias, or mentions when only articles wrote it so.';
COMMENT ON COLUMN entity_aliases.seen IS 'Whether an article wrote the entity this way.';
COMMENT ON COLUMN entity_aliases.family IS 'A weapon variant''s system (Patriot for Patriot PAC-3), where the gazetteer gives one.';
