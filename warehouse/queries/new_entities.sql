-- Entities whose first article falls in the `days` up to `as_of`: named in no earlier article.
-- param as_of DATE = latest : last day of the window (publication dates, UTC); latest: the newest in the data
-- param days INTEGER = 7 : length of the window in days
-- param label TEXT = % : PERSON, COUNTRY or WEAPON; % for all
SELECT label, norm, any_value(name) AS name, min(day) AS first_seen,
       sum(articles) AS articles, sum(mentions) AS mentions
FROM daily_mentions
WHERE label LIKE upper($label)
GROUP BY label, norm
HAVING min(day) > $as_of - $days AND min(day) <= $as_of
ORDER BY first_seen, label, articles DESC, norm;
