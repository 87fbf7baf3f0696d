-- Runs count the weapon events they loaded, beside their mentions.
ALTER TABLE runs ADD COLUMN events INTEGER;
COMMENT ON COLUMN runs.events IS 'Weapon events loaded by the run (see the events table).';
