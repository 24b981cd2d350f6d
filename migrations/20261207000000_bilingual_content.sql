-- Spanish all the way through (issue 27): the community's own words in both
-- languages, and members translating posts and resources for each other.
--
-- Content facilitators and leads write for everyone keeps its text in the
-- row's `language` (the columns it always had) and its other-language version
-- in `translations`: {"es": {"title": "…", "summary": "…"}}. One shape for every
-- table, read by src/platform/i18n/content.ts; the list of bilingual fields is
-- the CONTENT registry there.

ALTER TABLE community
  ADD COLUMN tagline text NOT NULL DEFAULT '' CHECK (length(tagline) <= 200),
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

ALTER TABLE practice_groups
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE group_priorities
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

ALTER TABLE agenda_items
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE agenda_why
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE agenda_milestones
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE agenda_updates
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

ALTER TABLE events
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE resources
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE collections
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

-- The directory: organizations' and state initiatives' descriptions (their names are proper names).
ALTER TABLE organizations
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');
ALTER TABLE state_initiatives
  ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  ADD COLUMN translations jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(translations) = 'object');

-- ---- members translating for each other --------------------------------------------------------

-- "I read English and Spanish and can help translate": told when someone asks for a translation.
ALTER TABLE users ADD COLUMN translator boolean NOT NULL DEFAULT false;
CREATE INDEX users_translators_idx ON users (id) WHERE translator AND deactivated_at IS NULL;

-- A member's translation of a post or of a resource's title and summary.
-- One per item and language; anyone who may read the item can correct it
-- (each version is kept in member_translation_revisions).
CREATE TABLE member_translations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id bigint REFERENCES posts(id) ON DELETE CASCADE,
  resource_id bigint REFERENCES resources(id) ON DELETE CASCADE,
  language text NOT NULL CHECK (language IN ('en', 'es')),
  -- A resource's title (posts have none).
  title text NOT NULL DEFAULT '' CHECK (length(title) <= 300),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
  -- The version of the post translated: a later edit of the post marks the translation out of date.
  source_version int NOT NULL DEFAULT 1,
  translated_by bigint REFERENCES users(id) ON DELETE SET NULL,
  corrected_by bigint REFERENCES users(id) ON DELETE SET NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (
    CASE WHEN language = 'es' THEN to_tsvector('spanish'::regconfig, title || ' ' || body) ELSE to_tsvector('english'::regconfig, title || ' ' || body) END
  ) STORED,
  CHECK ((post_id IS NULL) <> (resource_id IS NULL))
);
CREATE UNIQUE INDEX member_translations_post_key ON member_translations (post_id, language) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX member_translations_resource_key ON member_translations (resource_id, language) WHERE resource_id IS NOT NULL;
CREATE INDEX member_translations_search_idx ON member_translations USING gin (search);
CREATE INDEX member_translations_people_idx ON member_translations (translated_by);

CREATE TABLE member_translation_revisions (
  translation_id bigint NOT NULL REFERENCES member_translations(id) ON DELETE CASCADE,
  version int NOT NULL,
  title text NOT NULL DEFAULT '',
  body text NOT NULL,
  edited_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (translation_id, version)
);

-- "Please translate this": one open request per person, item and language.
CREATE TABLE translation_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id bigint REFERENCES posts(id) ON DELETE CASCADE,
  resource_id bigint REFERENCES resources(id) ON DELETE CASCADE,
  language text NOT NULL CHECK (language IN ('en', 'es')),
  requested_by bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  fulfilled_at timestamptz,
  CHECK ((post_id IS NULL) <> (resource_id IS NULL))
);
CREATE UNIQUE INDEX translation_requests_post_key ON translation_requests (post_id, language, requested_by) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX translation_requests_resource_key ON translation_requests (resource_id, language, requested_by) WHERE resource_id IS NOT NULL;
CREATE INDEX translation_requests_open_idx ON translation_requests (created_at DESC) WHERE fulfilled_at IS NULL;
CREATE INDEX translation_requests_person_idx ON translation_requests (requested_by);

-- The thread page asks for translations only when its thread has some.
ALTER TABLE threads ADD COLUMN translation_count int NOT NULL DEFAULT 0;

-- Someone asked for a translation a translator may write; a translation someone asked for was written.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention','reply','watched_post','new_thread','moderation','reminder','decision','translation_request','translation_done'));

-- A resource is found by its title and summary in either language: the other
-- language's version joins the search text, under its own dictionary.
DROP INDEX resources_search_idx;
ALTER TABLE resources DROP COLUMN search;
ALTER TABLE resources ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, title), 'A') ||
  setweight(to_tsvector('english'::regconfig, coalesce(translations -> 'en' ->> 'title', '')), 'A') ||
  setweight(to_tsvector('spanish'::regconfig, coalesce(translations -> 'es' ->> 'title', '')), 'A') ||
  setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, summary), 'B') ||
  setweight(to_tsvector('english'::regconfig, coalesce(translations -> 'en' ->> 'summary', '')), 'B') ||
  setweight(to_tsvector('spanish'::regconfig, coalesce(translations -> 'es' ->> 'summary', '')), 'B') ||
  setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, description), 'C') ||
  setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, left(extracted_text, 200000)), 'D')
) STORED;
CREATE INDEX resources_search_idx ON resources USING gin (search);
