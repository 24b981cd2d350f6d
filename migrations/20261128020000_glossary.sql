-- "Learning the Language": a glossary of terms and acronyms with one
-- definition per discipline where meanings differ, a plain-language
-- definition, Spanish, related terms and sources. Members suggest; facilitators
-- review and publish. Published terms are marked up wherever people's text is shown.

CREATE TABLE glossary_terms (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  term text NOT NULL CHECK (length(term) BETWEEN 1 AND 120),
  -- Written as used in text, case-sensitive (IEP, FERPA); null when the term has none.
  acronym text CHECK (acronym ~ '^[A-Za-z0-9&/-]{2,15}$'),
  plain_definition text NOT NULL CHECK (length(plain_definition) BETWEEN 1 AND 2000),
  term_es text NOT NULL DEFAULT '' CHECK (length(term_es) <= 120),
  acronym_es text CHECK (acronym_es ~ '^[A-Za-z0-9&/-]{2,15}$'),
  plain_definition_es text NOT NULL DEFAULT '' CHECK (length(plain_definition_es) <= 2000),
  related text[] NOT NULL DEFAULT '{}',
  sources text NOT NULL DEFAULT '' CHECK (length(sources) <= 2000),
  status text NOT NULL DEFAULT 'suggested' CHECK (status IN ('suggested','published','rejected')),
  suggested_by bigint REFERENCES users(id) ON DELETE SET NULL,
  reviewed_by bigint REFERENCES users(id) ON DELETE SET NULL,
  review_note text NOT NULL DEFAULT '' CHECK (length(review_note) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', term || ' ' || coalesce(acronym, '')), 'A') ||
    setweight(to_tsvector('english', plain_definition), 'B') ||
    setweight(to_tsvector('spanish', term_es || ' ' || plain_definition_es), 'C')
  ) STORED
);
CREATE UNIQUE INDEX glossary_terms_term_key ON glossary_terms (lower(term)) WHERE status <> 'rejected';
CREATE INDEX glossary_terms_search_idx ON glossary_terms USING gin (search);
CREATE INDEX glossary_terms_status_idx ON glossary_terms (status, lower(term));

CREATE TABLE glossary_definitions (
  term_id bigint NOT NULL REFERENCES glossary_terms(id) ON DELETE CASCADE,
  discipline text NOT NULL CHECK (discipline IN ('education','mental_health','family','juvenile_justice','health_care','military','youth')),
  definition text NOT NULL CHECK (length(definition) BETWEEN 1 AND 2000),
  definition_es text NOT NULL DEFAULT '' CHECK (length(definition_es) <= 2000),
  PRIMARY KEY (term_id, discipline)
);
