-- Weapons named in the same articles as a country, most shared sentences first.
-- param country COUNTRY : the country as typed: name, short form or demonym, any case (Ukraine, Ukrainian, UKR)
-- Pairs as co_mentions makes them, but joined from the country's rows first: filtering the view
-- would pair every country with every weapon first.
WITH pairs AS (
    SELECT y.norm AS weapon,
           shared_sentences(x.sentence_mask, x.later_sentences, y.sentence_mask, y.later_sentences) AS sentences
    FROM article_entity_stats x
    JOIN article_entity_stats y ON y.article_key = x.article_key
    WHERE x.label = 'COUNTRY' AND x.norm = $country AND y.label = 'WEAPON'
)
SELECT p.weapon, any_value(w.category) AS category, any_value(w.origin) AS origin,
       count(*) AS articles,
       sum(p.sentences) AS same_sentence
FROM pairs p
LEFT JOIN entities w ON w.label = 'WEAPON' AND w.norm = p.weapon
GROUP BY p.weapon
ORDER BY same_sentence DESC, articles DESC, weapon;
