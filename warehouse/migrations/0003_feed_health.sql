-- Feed health: a failing feed backs off, and a persistently dead one is paused (see README, Reliability).

ALTER TABLE feeds ADD COLUMN next_poll_at TIMESTAMPTZ;
ALTER TABLE feeds ADD COLUMN paused_reason TEXT;
COMMENT ON COLUMN feeds.consecutive_failures IS 'Failed polls in a row; reset by a successful poll.';
COMMENT ON COLUMN feeds.next_poll_at IS 'Not polled before this time (backoff after failures, or paused); NULL: every run.';
COMMENT ON COLUMN feeds.paused_reason IS 'Why the feed is paused (gone, or too many failures in a row); NULL while healthy or backing off.';
COMMENT ON COLUMN articles.status IS 'ok; non_english (stored, not run through the English model); teaser (a paywall teaser: stored, no entities read).';
