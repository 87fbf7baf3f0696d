-- People named in the same articles as a weapon (system or class), with the titles they carry there.
-- param weapon TEXT : the weapon's norm, any case (Patriot, drone); a surface form seen for it also works (PAC-3)
-- Pairs as co_mentions makes them, but joined from the weapon's rows first.
WITH weapon AS (
    SELECT DISTINCT norm FROM entities
    WHERE label = 'WEAPON'
      AND (lower(norm) = lower($weapon) OR list_contains(list_transform(aliases, lambda a: lower(a)), lower($weapon)))
),
named AS (
    -- An article may name several of the weapon's norms: only its first counts the article, which
    -- spares a distinct count over millions of pairs.
    SELECT w.article_key, w.sentence_mask, w.later_sentences,
           row_number() OVER (PARTITION BY w.article_key ORDER BY w.norm) = 1 AS counts_article
    FROM article_entity_stats w
    JOIN weapon USING (norm)
    WHERE w.label = 'WEAPON'
),
people AS (
    SELECT p.norm AS person,
           count(*) FILTER (WHERE w.counts_article) AS articles,
           sum(shared_sentences(p.sentence_mask, p.later_sentences, w.sentence_mask, w.later_sentences))
               AS same_sentence
    FROM named w
    JOIN article_entity_stats p ON p.article_key = w.article_key
    WHERE p.label = 'PERSON'
    GROUP BY p.norm
),
roles AS (
    SELECT person, string_agg(DISTINCT role, '; ' ORDER BY role) AS roles FROM person_roles GROUP BY person
)
SELECT p.person, r.roles, p.articles, p.same_sentence
FROM people p
LEFT JOIN roles r USING (person)
ORDER BY articles DESC, same_sentence DESC, person;
