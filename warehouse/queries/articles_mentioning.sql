-- Articles that name an entity in the `days` up to `as_of`, newest first; is_about tells a main subject from a passing mention.
-- param entity ENTITY : a name, alias or norm, any case (GBR, Britain, British, Putin, PAC-3, drone)
-- param as_of DATE = latest : last day of the window (publication dates, UTC); latest: the newest in the data
-- param days INTEGER = 30 : length of the window in days
SELECT e.day, e.label, e.norm, e.is_about, e.mentions, e.title, a.url
FROM article_entities e
JOIN articles a USING (article_id)
WHERE e.norm = $entity
  AND e.day > $as_of - $days AND e.day <= $as_of
ORDER BY e.day DESC, e.title;
