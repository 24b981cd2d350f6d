-- A search's glossary terms (glossary/queries.ts `listTerms`): a term matches
-- when its text search vector matches, when the words typed appear inside its
-- name, or when they are its acronym. The name test (`lower(term) LIKE
-- '%…%'`) and the acronym test had no index, so every search read all the
-- published terms (2,000 at scale 1: 1.2 ms a search that missed the cache,
-- warm, against 0.03 ms with these). With a trigram index on the name and an
-- index on the acronym, each of the three tests has an index and PostgreSQL
-- combines them (a BitmapOr) instead of scanning the table.
--
-- pg_trgm ships with PostgreSQL (the embedded one included) and is a trusted
-- extension: the database's owner may install it (docs/DEPLOYMENT.md).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX glossary_terms_term_trgm_idx ON glossary_terms USING gin (lower(term) gin_trgm_ops);
CREATE INDEX glossary_terms_acronym_lower_idx ON glossary_terms (lower(coalesce(acronym, '')));
