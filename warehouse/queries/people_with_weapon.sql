-- People named in the same articles as a weapon (system or class), with the titles they carry there.
-- param weapon TEXT : the weapon's norm, any case (MIM-104 Patriot, drone); a surface form seen for it also works (Patriot)
WITH weapon AS (
    SELECT DISTINCT norm FROM entities
    WHERE label = 'WEAPON'
      AND (lower(norm) = lower($weapon) OR list_contains(list_transform(aliases, lambda a: lower(a)), lower($weapon)))
)
SELECT c.left_norm AS person,
       (SELECT string_agg(DISTINCT r.role, '; ' ORDER BY r.role) FROM person_roles r WHERE r.person = c.left_norm)
           AS roles,
       count(DISTINCT c.article_id) AS articles,
       sum(c.sentences) AS same_sentence
FROM co_mentions c
WHERE c.pair = 'PERSON×WEAPON' AND c.right_norm IN (SELECT norm FROM weapon)
GROUP BY c.left_norm
ORDER BY articles DESC, same_sentence DESC, person;
