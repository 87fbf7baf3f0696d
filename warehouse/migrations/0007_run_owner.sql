-- Who ran each run, so a run whose process died (killed, out of memory, the machine stopped) is
-- found and closed as failed by the next run instead of showing as running for ever; which flow
-- it was; and why a failed run stopped.
ALTER TABLE runs ADD COLUMN flow TEXT;
ALTER TABLE runs ADD COLUMN host TEXT;
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN error TEXT;
COMMENT ON COLUMN runs.flow IS 'ingest, backfill or reprocess';
COMMENT ON COLUMN runs.host IS 'Host name of the process that ran it';
COMMENT ON COLUMN runs.pid IS 'Process id that ran it; a running run whose process is gone is closed as failed';
COMMENT ON COLUMN runs.error IS 'Why a failed run stopped';
COMMENT ON TABLE runs IS 'One row per flow run (ingest, backfill, reprocess): what it did, the pipeline version it used, and how it ended.';
COMMENT ON COLUMN articles.status IS 'ok; non_english (stored, not run through the English model); teaser (a paywall teaser: stored, no entities read); entities_failed (the parser failed or ran over nlp_timeout_seconds on it: stored without entities, the reason in fetch_events).';
