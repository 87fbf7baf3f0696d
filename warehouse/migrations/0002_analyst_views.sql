-- Views for analysts: what each article is about, mentions per day, co-mentions, people's roles.
-- Views, not tables: they follow every load (and every reload of an article) with no extra step.

-- The day an article belongs to: its publication date in UTC, else the day we fetched it.
CREATE MACRO article_day(published_at, fetched_at) AS
    CAST(timezone('UTC', coalesce(published_at, fetched_at)) AS DATE);

CREATE VIEW article_entities AS
WITH per_entity AS (
    SELECT m.article_id, m.label, m.norm,
           any_value(m.entity_id) AS entity_id,
           count(*) AS mentions,
           count(DISTINCT m.sentence_start) AS sentences,
           min(m.start_char) AS first_char,
           list_distinct(list(m.text)) AS surfaces
    FROM mentions m
    WHERE m.norm IS NOT NULL
    GROUP BY m.article_id, m.label, m.norm
),
scored AS (
    SELECT p.article_id, p.label, p.norm, p.entity_id,
           coalesce(e.name, p.norm) AS name,
           p.mentions, p.sentences, p.first_char,
           round(p.first_char / greatest(length(a.text), 1), 3) AS first_position,
           -- The headline names it when any surface form seen for it appears there as a whole word.
           coalesce(len(list_filter(
               list_distinct(list_concat(p.surfaces, coalesce(e.aliases, []))),
               lambda s: regexp_matches(a.title, '(^|[^[:alnum:]])' || regexp_escape(s) || '($|[^[:alnum:]])')
           )) > 0, false) AS in_title,
           rank() OVER (PARTITION BY p.article_id, p.label ORDER BY p.mentions DESC) AS frequency_rank,
           a.title, a.published_at,
           article_day(a.published_at, a.fetched_at) AS day
    FROM per_entity p
    JOIN articles a USING (article_id)
    LEFT JOIN entities e ON e.entity_id = p.entity_id
)
SELECT article_id, day, label, norm, entity_id, name, mentions, sentences, first_char,
       first_position, in_title, frequency_rank,
       in_title
           OR (frequency_rank = 1 AND mentions >= 3)
           OR (first_position < 0.15 AND mentions >= 2) AS is_about,
       title, published_at
FROM scored;
COMMENT ON VIEW article_entities IS 'One row per article and resolved entity: mention counts, where it first appears, and whether the article is about it (is_about) or only mentions it.';
COMMENT ON COLUMN article_entities.is_about IS 'True when the headline names it, or it is the most mentioned of its label with 3+ mentions, or it is named twice or more starting in the first 15% of the text.';
COMMENT ON COLUMN article_entities.first_position IS 'Offset of the first mention / text length: 0 is the lede, 1 the last line.';

CREATE VIEW daily_mentions AS
SELECT article_day(a.published_at, a.fetched_at) AS day, m.label, m.norm,
       coalesce(any_value(e.name), m.norm) AS name,
       count(*) AS mentions,
       count(DISTINCT m.article_id) AS articles
FROM mentions m
JOIN articles a USING (article_id)
LEFT JOIN entities e ON e.entity_id = m.entity_id
WHERE m.norm IS NOT NULL
GROUP BY day, m.label, m.norm;
COMMENT ON VIEW daily_mentions IS 'Mentions and articles per day (publication date, UTC) and entity (label, norm).';

CREATE VIEW co_mentions AS
WITH pairs AS (
    SELECT x.article_id,
           x.label AS left_label, x.norm AS left_norm,
           y.label AS right_label, y.norm AS right_norm,
           count(DISTINCT x.sentence_start) FILTER (WHERE x.sentence_start = y.sentence_start)
               AS sentences
    FROM mentions x
    JOIN mentions y ON x.article_id = y.article_id
        AND (x.label, y.label) IN (('COUNTRY', 'WEAPON'), ('PERSON', 'COUNTRY'), ('PERSON', 'WEAPON'))
    WHERE x.norm IS NOT NULL AND y.norm IS NOT NULL
    GROUP BY ALL
)
SELECT p.article_id, article_day(a.published_at, a.fetched_at) AS day,
       p.left_label || '×' || p.right_label AS pair,
       p.left_label, p.left_norm, p.right_label, p.right_norm,
       p.sentences,
       p.sentences > 0 AS same_sentence
FROM pairs p
JOIN articles a USING (article_id);
COMMENT ON VIEW co_mentions IS 'Pairs named in the same article (country×weapon, person×country, person×weapon); sentences counts the sentences naming both, 0 when they only share the article.';

CREATE VIEW person_roles AS
SELECT m.norm AS person,
       m.attrs ->> 'role' AS role,
       m.attrs ->> 'role_country' AS country,
       min(article_day(a.published_at, a.fetched_at)) AS first_seen,
       max(article_day(a.published_at, a.fetched_at)) AS last_seen,
       count(DISTINCT m.article_id) AS articles,
       count(*) AS mentions
FROM mentions m
JOIN articles a USING (article_id)
WHERE m.label = 'PERSON' AND m.norm IS NOT NULL AND m.attrs ->> 'role' IS NOT NULL
GROUP BY ALL;
COMMENT ON VIEW person_roles IS 'Each person with each title the articles give them (role, and the country of the office when named), first and last seen by publication date.';
