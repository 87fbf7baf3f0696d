-- Per-article summaries of the mentions, so the analyst views read one row per article and entity
-- instead of regrouping every mention on each query (20M mentions: 7-23 s a query, now under 1 s).
-- Each summary depends on one article's mentions and its own row in `articles` only, so the loader
-- replaces an article's summaries in the same transaction as its mentions: delete the batch's
-- article ids, insert what the macros below compute from the batch. Reloads, reprocessing and
-- backfills cannot double count. What depends on other articles (an entity's name and aliases)
-- is joined in the views at query time, as before.

-- Whether any of `names` appears in `title` as a whole word; the substring test first spares
-- compiling a pattern for every name that cannot match.
CREATE MACRO names_in_title(title, names) AS coalesce(len(list_filter(names, lambda s:
    CASE WHEN contains(title, s)
         THEN regexp_matches(title, '(^|[^[:alnum:]])' || regexp_escape(s) || '($|[^[:alnum:]])')
         ELSE false END
)) > 0, false);

CREATE SEQUENCE article_key_seq;

CREATE TABLE article_entity_stats (
    article_id       TEXT NOT NULL,
    article_key      BIGINT NOT NULL,
    day              DATE,
    label            TEXT NOT NULL,
    norm             TEXT NOT NULL,
    entity_id        TEXT,
    mentions         BIGINT NOT NULL,
    sentences        BIGINT NOT NULL,
    sentence_mask    UBIGINT NOT NULL,
    later_sentences  INTEGER[],
    first_char       INTEGER NOT NULL,
    first_position   DOUBLE NOT NULL,
    frequency_rank   BIGINT NOT NULL,
    surface_in_title BOOLEAN NOT NULL,
    title            TEXT,
    published_at     TIMESTAMPTZ
);
COMMENT ON TABLE article_entity_stats IS 'One row per article and resolved entity (label, norm), summed from its mentions by the loader in the same transaction; read it through the article_entities view.';
COMMENT ON COLUMN article_entity_stats.article_key IS 'A number for the article, new at each reload: joining on it is several times faster than on article_id.';
COMMENT ON COLUMN article_entity_stats.sentence_mask IS 'Bit n set when it is named in the n-th (from 0) of the article''s sentences that name any entity, for n < 64.';
COMMENT ON COLUMN article_entity_stats.later_sentences IS 'sentence_start of the sentences past those 64 naming it (NULL when none): two entities share the bits their masks share plus the values these lists share.';
COMMENT ON COLUMN article_entity_stats.surface_in_title IS 'Whether a surface form of its mentions in this article appears in the title as a whole word (the entity''s other aliases are checked in the view).';

CREATE TABLE entity_days (
    day        DATE NOT NULL,
    label      TEXT NOT NULL,
    norm       TEXT NOT NULL,
    entity_id  TEXT,
    mentions   BIGINT NOT NULL,
    articles   BIGINT NOT NULL
);
COMMENT ON TABLE entity_days IS 'Mentions and articles per day and entity, kept by the loader from the changes to article_entity_stats; read it through the daily_mentions view.';

CREATE TABLE article_person_roles (
    article_id TEXT NOT NULL,
    day        DATE,
    person     TEXT NOT NULL,
    role       TEXT NOT NULL,
    country    TEXT,
    mentions   BIGINT NOT NULL
);
COMMENT ON TABLE article_person_roles IS 'One row per article, person and title given to them there (role, country of the office), kept by the loader; read it through the person_roles view.';

-- The summaries of the mentions in table or view `source` (the mentions table, or a loader's
-- batch), with each article's current row in `articles`.
CREATE MACRO article_entity_rows(source) AS TABLE
WITH resolved AS (
    SELECT m.article_id, m.label, m.norm, m.entity_id, m.start_char, m.text, m.sentence_start,
           dense_rank() OVER (PARTITION BY m.article_id ORDER BY m.sentence_start) - 1 AS sentence_no
    FROM query_table(source) m
    WHERE m.norm IS NOT NULL
),
per_entity AS (
    SELECT article_id, label, norm,
           any_value(entity_id) AS entity_id,
           count(*) AS mentions,
           coalesce(bit_or(CASE WHEN sentence_no < 64 THEN CAST(1 AS UBIGINT) << sentence_no END),
                    CAST(0 AS UBIGINT)) AS sentence_mask,
           list_distinct(list(sentence_start) FILTER (WHERE sentence_no >= 64)) AS later_sentences,
           min(start_char) AS first_char,
           list_distinct(list(text)) AS surfaces
    FROM resolved
    GROUP BY article_id, label, norm
),
keyed AS (
    -- From the source, not per_entity: a CTE read twice would be materialised.
    SELECT article_id, nextval('article_key_seq') AS article_key
    FROM (SELECT DISTINCT article_id FROM query_table(source) WHERE norm IS NOT NULL)
)
SELECT p.article_id, k.article_key, article_day(a.published_at, a.fetched_at) AS day, p.label, p.norm,
       p.entity_id, p.mentions,
       CAST(bit_count(p.sentence_mask) + coalesce(len(p.later_sentences), 0) AS BIGINT) AS sentences,
       p.sentence_mask, p.later_sentences, p.first_char,
       round(p.first_char / greatest(length(a.text), 1), 3) AS first_position,
       rank() OVER (PARTITION BY p.article_id, p.label ORDER BY p.mentions DESC) AS frequency_rank,
       names_in_title(a.title, p.surfaces) AS surface_in_title,
       a.title, a.published_at
FROM per_entity p
JOIN keyed k USING (article_id)
JOIN articles a USING (article_id);

-- Mentions and articles per day and entity from rows shaped like article_entity_stats.
CREATE MACRO entity_day_rows(source) AS TABLE
SELECT day, label, norm, any_value(entity_id) AS entity_id,
       CAST(sum(mentions) AS BIGINT) AS mentions, count(*) AS articles
FROM query_table(source)
GROUP BY day, label, norm;

CREATE MACRO article_role_rows(source) AS TABLE
SELECT m.article_id, article_day(a.published_at, a.fetched_at) AS day, m.norm AS person,
       CAST(m.attrs AS JSON) ->> 'role' AS role,
       CAST(m.attrs AS JSON) ->> 'role_country' AS country,
       count(*) AS mentions
FROM query_table(source) m
JOIN articles a USING (article_id)
WHERE m.label = 'PERSON' AND m.norm IS NOT NULL AND CAST(m.attrs AS JSON) ->> 'role' IS NOT NULL
GROUP BY ALL;

-- By day, as the loader's batches mostly arrive: a query for a few days skips most row groups.
INSERT INTO article_entity_stats SELECT * FROM article_entity_rows('mentions') ORDER BY day, article_key;
INSERT INTO entity_days SELECT * FROM entity_day_rows('article_entity_stats');
INSERT INTO article_person_roles SELECT * FROM article_role_rows('mentions');

CREATE OR REPLACE VIEW article_entities AS
WITH titled AS (
    SELECT s.*, coalesce(e.name, s.norm) AS name,
           s.surface_in_title OR names_in_title(s.title, coalesce(e.aliases, [])) AS in_title
    FROM article_entity_stats s
    LEFT JOIN entities e ON e.entity_id = s.entity_id
)
SELECT article_id, day, label, norm, entity_id, name, mentions, sentences, first_char,
       first_position, in_title, frequency_rank,
       in_title
           OR (frequency_rank = 1 AND mentions >= 3)
           OR (first_position < 0.15 AND mentions >= 2) AS is_about,
       title, published_at
FROM titled;
COMMENT ON VIEW article_entities IS 'One row per article and resolved entity: mention counts, where it first appears, and whether the article is about it (is_about) or only mentions it.';
COMMENT ON COLUMN article_entities.is_about IS 'True when the headline names it, or it is the most mentioned of its label with 3+ mentions, or it is named twice or more starting in the first 15% of the text.';
COMMENT ON COLUMN article_entities.first_position IS 'Offset of the first mention / text length: 0 is the lede, 1 the last line.';

CREATE OR REPLACE VIEW daily_mentions AS
SELECT d.day, d.label, d.norm, coalesce(e.name, d.norm) AS name, d.mentions, d.articles
FROM entity_days d
LEFT JOIN entities e ON e.entity_id = d.entity_id;
COMMENT ON VIEW daily_mentions IS 'Mentions and articles per day (publication date, UTC) and entity (label, norm).';

-- Sentences naming both of two entities of the same article (two article_entity_stats rows).
CREATE MACRO shared_sentences(left_mask, left_later, right_mask, right_later) AS
    CAST(bit_count(left_mask & right_mask) + coalesce(len(list_intersect(left_later, right_later)), 0) AS BIGINT);

-- The pairs of one label with another in the same articles. An equality join on a number, one
-- per label pair, is several times faster than one join on article_id under an IN condition.
CREATE MACRO entity_pairs(left_label, right_label) AS TABLE
SELECT x.article_id, x.day, x.label AS left_label, x.norm AS left_norm,
       y.label AS right_label, y.norm AS right_norm,
       shared_sentences(x.sentence_mask, x.later_sentences, y.sentence_mask, y.later_sentences) AS sentences
FROM article_entity_stats x
JOIN article_entity_stats y ON x.article_key = y.article_key
WHERE x.label = left_label AND y.label = right_label;

CREATE OR REPLACE VIEW co_mentions AS
WITH pairs AS (
    FROM entity_pairs('COUNTRY', 'WEAPON')
    UNION ALL FROM entity_pairs('PERSON', 'COUNTRY')
    UNION ALL FROM entity_pairs('PERSON', 'WEAPON')
)
SELECT article_id, day, left_label || '×' || right_label AS pair,
       left_label, left_norm, right_label, right_norm, sentences, sentences > 0 AS same_sentence
FROM pairs;
COMMENT ON VIEW co_mentions IS 'Pairs named in the same article (country×weapon, person×country, person×weapon); sentences counts the sentences naming both, 0 when they only share the article.';

CREATE OR REPLACE VIEW person_roles AS
SELECT person, role, country,
       min(day) AS first_seen,
       max(day) AS last_seen,
       count(*) AS articles,
       CAST(sum(mentions) AS BIGINT) AS mentions
FROM article_person_roles
GROUP BY person, role, country;
COMMENT ON VIEW person_roles IS 'Each person with each title the articles give them (role, and the country of the office when named), first and last seen by publication date.';
