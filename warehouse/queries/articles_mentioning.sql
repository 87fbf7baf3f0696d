-- Articles that name an entity in the `days` up to `as_of`, newest first; is_about tells a main subject from a passing mention.
-- param entity TEXT : a norm or canonical name, any case (GBR, United Kingdom, Lloyd Austin, drone)
-- param as_of DATE = today : last day of the window (publication dates, UTC)
-- param days INTEGER = 30 : length of the window in days
SELECT e.day, e.label, e.norm, e.is_about, e.mentions, e.title, a.url
FROM article_entities e
JOIN articles a USING (article_id)
WHERE (lower(e.norm) = lower($entity) OR lower(e.name) = lower($entity))
  AND e.day > $as_of - $days AND e.day <= $as_of
ORDER BY e.day DESC, e.title;
