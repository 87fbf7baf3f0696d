-- One row per configured source: its feed, group, health and what it brought in.

CREATE VIEW sources AS
SELECT f.name,
       f.feed_url,
       f.source_group,
       f.last_status,
       f.last_polled_at,
       f.consecutive_failures,
       f.paused_reason,
       count(DISTINCT e.article_id) AS entries_seen,
       count(DISTINCT a.article_id) AS articles_loaded
FROM feeds f
LEFT JOIN entries e ON e.feed_url = f.feed_url
LEFT JOIN articles a ON a.article_id = e.article_id
GROUP BY ALL;
COMMENT ON VIEW sources IS 'Each configured source (a feed): group, health, entries seen and articles loaded.';
