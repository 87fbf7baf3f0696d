-- Each mention carries its sentence's number in the article, which the loader is handed with the
-- mentions (pipeline.mention_table), so the summaries no longer rank every batch's sentences by
-- a window over all its rows, one of a load's costliest steps.
-- Numbered among the sentences that have any mention (resolved or not), so a verdict that gives
-- an unresolved mention a norm finds its sentence already numbered.
ALTER TABLE mentions ADD COLUMN sentence_no INTEGER NOT NULL DEFAULT 0;
UPDATE mentions SET sentence_no = r.sentence_no
FROM (
    SELECT rowid AS row_id, dense_rank() OVER (PARTITION BY article_id ORDER BY sentence_start) - 1 AS sentence_no
    FROM mentions
) r
WHERE mentions.rowid = r.row_id;
ALTER TABLE mentions ALTER COLUMN sentence_no DROP DEFAULT;
COMMENT ON COLUMN mentions.sentence_no IS 'The sentence''s number (from 0) among the article''s sentences that have a mention, in text order: the bit it sets in article_entity_stats.sentence_mask.';
COMMENT ON COLUMN article_entity_stats.sentence_mask IS 'Bit n set when it is named in the n-th (from 0) of the article''s sentences that have a mention (mentions.sentence_no), for n < 64.';

-- The summaries of the articles already stored keep the numbers they were built with: a mask is
-- only ever compared with another of the same article, and an article's summaries are replaced
-- together.
CREATE OR REPLACE MACRO article_entity_rows(source) AS TABLE
WITH resolved AS (
    SELECT m.article_id, m.label, m.entity_norm AS norm, m.entity_id, m.start_char, m.sentence_start,
           m.sentence_no,
           name_in_title(t.title, m.text) AS in_title
    FROM query_table(source) m
    JOIN (SELECT article_id, title FROM articles) t USING (article_id)
    WHERE m.entity_norm IS NOT NULL
),
per_entity AS (
    SELECT article_id, label, norm,
           any_value(entity_id) AS entity_id,
           count(*) AS mentions,
           coalesce(bit_or(CASE WHEN sentence_no < 64 THEN CAST(1 AS UBIGINT) << sentence_no END),
                    CAST(0 AS UBIGINT)) AS sentence_mask,
           list_distinct(list(sentence_start) FILTER (WHERE sentence_no >= 64)) AS later_sentences,
           min(start_char) AS first_char,
           bool_or(in_title) AS surface_in_title
    FROM resolved
    GROUP BY article_id, label, norm
),
keyed AS (
    -- From the source, not per_entity: a CTE read twice would be materialised.
    SELECT article_id, nextval('article_key_seq') AS article_key
    FROM (SELECT DISTINCT article_id FROM query_table(source) WHERE entity_norm IS NOT NULL)
)
SELECT p.article_id, k.article_key, article_day(a.published_at, a.fetched_at) AS day, p.label, p.norm,
       p.entity_id, p.mentions,
       CAST(bit_count(p.sentence_mask) + coalesce(len(p.later_sentences), 0) AS BIGINT) AS sentences,
       p.sentence_mask, p.later_sentences, p.first_char,
       round(p.first_char / greatest(length(a.text), 1), 3) AS first_position,
       rank() OVER (PARTITION BY k.article_key, p.label ORDER BY p.mentions DESC) AS frequency_rank,
       p.surface_in_title,
       a.title, a.published_at
FROM per_entity p
JOIN keyed k USING (article_id)
JOIN articles a USING (article_id);
