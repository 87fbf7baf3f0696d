-- A mention keeps the norm its article gives it, as `newsint extract` writes it ("Putin" where the
-- article never says more), and gets the norm of the entity it names beside it ("Vladimir
-- Putin", a lone surname the data joins to its person). The per-article summaries, and so every
-- view and named query, count by the entity's norm, so one person is not split in two.
ALTER TABLE mentions ADD COLUMN entity_norm TEXT;
UPDATE mentions SET entity_norm = norm;
COMMENT ON COLUMN mentions.norm IS 'As the article gives it (the guidelines'' norm, what newsint extract writes): PERSON: the fullest name in the article; COUNTRY: ISO 3166-1 alpha-3 (NULL when unresolved); WEAPON: system or class.';
COMMENT ON COLUMN mentions.entity_norm IS 'The norm of the entity the mention names, which the summaries and views count by: norm, or a lone surname''s full name where the data joins it to one person (kind stays as extracted).';

CREATE OR REPLACE MACRO article_entity_rows(source) AS TABLE
WITH resolved AS (
    SELECT m.article_id, m.label, m.entity_norm AS norm, m.entity_id, m.start_char, m.sentence_start,
           dense_rank() OVER (PARTITION BY m.article_id ORDER BY m.sentence_start) - 1 AS sentence_no,
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

CREATE OR REPLACE MACRO article_role_rows(source) AS TABLE
SELECT m.article_id, article_day(a.published_at, a.fetched_at) AS day, m.entity_norm AS person,
       CAST(m.attrs AS JSON) ->> 'role' AS role,
       CAST(m.attrs AS JSON) ->> 'role_country' AS country,
       count(*) AS mentions
FROM query_table(source) m
JOIN articles a USING (article_id)
WHERE m.label = 'PERSON' AND m.entity_norm IS NOT NULL AND CAST(m.attrs AS JSON) ->> 'role' IS NOT NULL
GROUP BY ALL;
