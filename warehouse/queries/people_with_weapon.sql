-- People named in the same articles as a weapon (system or class), with the titles they carry there.
-- param weapon WEAPON : the weapon as typed: norm, designation or any alias, any case (Patriot, PAC-3, drone)
-- Pairs as co_mentions makes them, but joined from the weapon's rows first.
WITH named AS (
    SELECT w.article_key, w.sentence_mask, w.later_sentences
    FROM article_entity_stats w
    WHERE w.label = 'WEAPON' AND w.norm = $weapon
),
people AS (
    SELECT p.norm AS person,
           count(*) AS articles,
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
