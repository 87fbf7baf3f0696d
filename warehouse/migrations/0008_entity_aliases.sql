-- Finding an entity by what an analyst types: every name the gazetteers under models/ give it, and
-- every surface form the articles wrote for it, in one view matched without regard to case or
-- accents (`WHERE alias = 'pac-3'` finds "PAC-3", `'turkiye'` finds "Türkiye").

-- Replaced whole by each run whose pipeline version (which hashes models/) differs from the one
-- stored here, so a re-run never adds a row twice and an edited gazetteer leaves no stale one.
CREATE TABLE gazetteer_aliases (
    entity_id        TEXT NOT NULL,
    label            TEXT NOT NULL,
    norm             TEXT NOT NULL,
    name             TEXT NOT NULL,
    alias            TEXT NOT NULL,
    source           TEXT NOT NULL,
    family           TEXT,
    pipeline_version TEXT NOT NULL
);
COMMENT ON TABLE gazetteer_aliases IS 'Every name the gazetteers give a weapon system, known person or country, whether or not an article has named it yet; read it through the entity_aliases view.';
COMMENT ON COLUMN gazetteer_aliases.name IS 'The display name the entity is shown by (a country by its common short name); entities.name follows it.';
COMMENT ON COLUMN gazetteer_aliases.source IS 'The models file that lists the alias.';
COMMENT ON COLUMN gazetteer_aliases.pipeline_version IS 'The pipeline version of the run that loaded it: a run with another version reloads the table.';

-- The display name of each entity the gazetteers list, for the loader's new entities.
CREATE VIEW gazetteer_names AS
SELECT entity_id, any_value(name) AS name FROM gazetteer_aliases GROUP BY entity_id;
COMMENT ON VIEW gazetteer_names IS 'The display name of each entity the gazetteers list.';

CREATE VIEW entity_aliases AS
WITH forms AS (
    SELECT entity_id, label, norm, name, unnest(aliases) AS alias, 'mentions' AS source, NULL AS family
    FROM entities
    UNION ALL
    SELECT entity_id, label, norm, name, alias, source, family FROM gazetteer_aliases
)
SELECT f.entity_id,
       any_value(coalesce(e.label, f.label)) AS label,
       any_value(coalesce(e.norm, f.norm)) AS norm,
       any_value(coalesce(e.name, f.name)) AS name,
       f.alias COLLATE NOCASE.NOACCENT AS alias,
       arg_min(f.source, f.source = 'mentions') AS source,
       bool_or(f.source = 'mentions') AS seen,
       any_value(f.family) AS family
FROM forms f
LEFT JOIN entities e USING (entity_id)
GROUP BY f.entity_id, f.alias COLLATE NOCASE.NOACCENT;
COMMENT ON VIEW entity_aliases IS 'One row per entity and name it goes by: the gazetteers'' aliases and the surface forms seen in mentions. alias compares without regard to case or accents.';
COMMENT ON COLUMN entity_aliases.norm IS 'The norm its mentions carry (join mentions, article_entities or daily_mentions on label and norm).';
COMMENT ON COLUMN entity_aliases.alias IS 'A name of the entity, collated NOCASE.NOACCENT: alias = ''pac-3'' matches PAC-3, alias = ''turkiye'' matches Türkiye.';
COMMENT ON COLUMN entity_aliases.source IS 'The models file listing the alias, or mentions when only articles wrote it so.';
COMMENT ON COLUMN entity_aliases.seen IS 'Whether an article wrote the entity this way.';
COMMENT ON COLUMN entity_aliases.family IS 'A weapon variant''s system (Patriot for Patriot PAC-3), where the gazetteer gives one.';
