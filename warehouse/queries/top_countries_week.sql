-- The countries in the most articles over the week (or `days`) up to `as_of`, with how many are about them.
-- param as_of DATE = latest : last day of the window (publication dates, UTC); latest: the newest in the data
-- param days INTEGER = 7 : length of the window in days
SELECT norm AS country, any_value(name) AS name,
       count(*) AS articles,
       count(*) FILTER (WHERE is_about) AS about,
       sum(mentions) AS mentions
FROM article_entities
WHERE label = 'COUNTRY' AND day > $as_of - $days AND day <= $as_of
GROUP BY norm
ORDER BY articles DESC, mentions DESC, country
LIMIT 20;
