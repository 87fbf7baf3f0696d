-- Weapons named in the same articles as a country, most shared sentences first.
-- param country TEXT : ISO 3166-1 alpha-3 code (UKR) or the country's name (Ukraine)
SELECT c.right_norm AS weapon, any_value(w.category) AS category, any_value(w.origin) AS origin,
       count(*) AS articles,
       sum(c.sentences) AS same_sentence
FROM co_mentions c
LEFT JOIN entities k ON k.label = 'COUNTRY' AND k.norm = c.left_norm
LEFT JOIN entities w ON w.label = 'WEAPON' AND w.norm = c.right_norm
WHERE c.pair = 'COUNTRY×WEAPON'
  AND (c.left_norm = upper($country) OR lower(k.name) = lower($country))
GROUP BY c.right_norm
ORDER BY same_sentence DESC, articles DESC, weapon;
