-- Mentions and articles per day for one norm over the `days` up to `as_of`, days without any included as 0.
-- param norm ENTITY : a name, alias or norm, any case (UKR, Ukrainian, drone, Lloyd Austin)
-- param as_of DATE = latest : last day of the window (publication dates, UTC); latest: the newest in the data
-- param days INTEGER = 30 : length of the window in days
WITH days AS (
    SELECT CAST(d AS DATE) AS day
    FROM generate_series(CAST($as_of - ($days - 1) AS TIMESTAMP), CAST($as_of AS TIMESTAMP), INTERVAL 1 DAY) AS t(d)
)
SELECT days.day, coalesce(sum(m.mentions), 0) AS mentions, coalesce(sum(m.articles), 0) AS articles
FROM days
LEFT JOIN daily_mentions m ON m.day = days.day AND m.norm = $norm
GROUP BY days.day
ORDER BY days.day;
