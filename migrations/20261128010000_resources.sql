-- The resource library, collections, and the dissemination ledger: tracked
-- share links, cookie-free view counting with daily rollups, partner reports,
-- use reports, and one reach_ledger view over every source.

CREATE TABLE resources (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  -- Plain-language summary; required (by the command) when families or youth are an audience.
  summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  kind text NOT NULL CHECK (kind IN ('brief','toolkit','guide','dialogue_guide','webinar','research_article','infographic','video','website')),
  external_url text CHECK (length(external_url) <= 2000),
  authors text NOT NULL DEFAULT '' CHECK (length(authors) <= 500),
  audiences text[] NOT NULL DEFAULT '{}' CHECK (audiences <@ ARRAY[
    'family','youth','educator','school_mh','community_mh','administrator','researcher',
    'physician','juvenile_justice','military_family','policymaker','other']::text[]),
  topics text[] NOT NULL DEFAULT '{}',
  level text NOT NULL DEFAULT 'national' CHECK (level IN ('local','state','national','international')),
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','es')),
  evidence_level text NOT NULL DEFAULT 'not_applicable' CHECK (evidence_level IN ('evidence_based','promising','emerging','practice_informed','not_applicable')),
  review_status text NOT NULL DEFAULT 'unreviewed' CHECK (review_status IN ('unreviewed','in_review','reviewed')),
  published_on date,
  visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public','members','group')),
  -- With visibility 'group': the one group whose members may see it.
  group_id bigint REFERENCES practice_groups(id) ON DELETE SET NULL,
  accessibility text[] NOT NULL DEFAULT '{}' CHECK (accessibility <@ ARRAY['tagged_pdf','alt_text','captions','plain_language']::text[]),
  -- Text pulled from the newest uploaded file by a job, for search.
  extracted_text text NOT NULL DEFAULT '',
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK (visibility <> 'group' OR group_id IS NOT NULL),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, title), 'A') ||
    setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, summary), 'B') ||
    setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, description), 'C') ||
    setweight(to_tsvector(CASE WHEN language = 'es' THEN 'spanish'::regconfig ELSE 'english'::regconfig END, left(extracted_text, 200000)), 'D')
  ) STORED
);
CREATE INDEX resources_search_idx ON resources USING gin (search);
CREATE INDEX resources_audiences_idx ON resources USING gin (audiences);
CREATE INDEX resources_topics_idx ON resources USING gin (topics);
CREATE INDEX resources_listing_idx ON resources (published_on DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE resource_organizations (
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  PRIMARY KEY (resource_id, organization_id)
);
CREATE INDEX resource_organizations_org_idx ON resource_organizations (organization_id);

CREATE TABLE resource_groups (
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  PRIMARY KEY (resource_id, group_id)
);
CREATE INDEX resource_groups_group_idx ON resource_groups (group_id);

-- Every uploaded file is a version; a new upload never replaces the old one.
CREATE TABLE resource_files (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  version int NOT NULL,
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL UNIQUE,
  alt_text text NOT NULL DEFAULT '' CHECK (length(alt_text) <= 1000),
  uploaded_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  extracted_at timestamptz,
  UNIQUE (resource_id, version)
);

CREATE TABLE collections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
  -- Curated by a practice group (its leads), or by facilitators when null.
  group_id bigint REFERENCES practice_groups(id) ON DELETE CASCADE,
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE collection_items (
  collection_id bigint NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  position int NOT NULL,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  PRIMARY KEY (collection_id, resource_id)
);

-- ---- the ledger ------------------------------------------------------------------------

-- A partner's own short link to a resource, optionally for one channel.
CREATE TABLE share_links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9]{6,16}$'),
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  organization_id bigint REFERENCES organizations(id) ON DELETE CASCADE,
  state_initiative_id bigint REFERENCES state_initiatives(id) ON DELETE CASCADE,
  channel text NOT NULL DEFAULT 'other' CHECK (channel IN ('newsletter','social','conference','email_list','website','training','other')),
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((organization_id IS NULL) <> (state_initiative_id IS NULL))
);
CREATE INDEX share_links_resource_idx ON share_links (resource_id);

-- One row per counted visit: narrow, append-only, rolled up daily. No address is
-- stored: `visitor` is a hash of address and browser with a salt that exists for one day.
CREATE TABLE view_events (
  resource_id bigint NOT NULL,
  kind smallint NOT NULL, -- 1 page view, 2 download, 3 visit through a share link
  link_id bigint,
  visitor bytea NOT NULL,
  day date NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX view_events_day_idx ON view_events (day, resource_id);

CREATE TABLE daily_salts (
  day date PRIMARY KEY,
  salt bytea NOT NULL
);

CREATE TABLE reach_daily (
  day date NOT NULL,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  page_views int NOT NULL,
  downloads int NOT NULL,
  link_visits int NOT NULL,
  -- Distinct visitors that day over pages, downloads and links together: a
  -- visitor who came through a share link and then read the page counts once.
  unique_visitors int NOT NULL,
  PRIMARY KEY (day, resource_id)
);
CREATE INDEX reach_daily_resource_idx ON reach_daily (resource_id, day);

CREATE TABLE reach_daily_links (
  day date NOT NULL,
  link_id bigint NOT NULL REFERENCES share_links(id) ON DELETE CASCADE,
  visits int NOT NULL,
  unique_visitors int NOT NULL,
  PRIMARY KEY (day, link_id)
);

CREATE TABLE dissemination_reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  organization_id bigint REFERENCES organizations(id) ON DELETE CASCADE,
  state_initiative_id bigint REFERENCES state_initiatives(id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('newsletter','social','conference','email_list','website','training','other')),
  recipients int NOT NULL CHECK (recipients BETWEEN 1 AND 100000000),
  sent_on date NOT NULL,
  audiences text[] NOT NULL DEFAULT '{}',
  states text[] NOT NULL DEFAULT '{}',
  evidence_url text CHECK (length(evidence_url) <= 2000),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
  status text NOT NULL DEFAULT 'reported' CHECK (status IN ('reported','verified','questioned')),
  review_note text NOT NULL DEFAULT '' CHECK (length(review_note) <= 2000),
  reported_by bigint REFERENCES users(id) ON DELETE SET NULL,
  reviewed_by bigint REFERENCES users(id) ON DELETE SET NULL,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((organization_id IS NULL) <> (state_initiative_id IS NULL))
);
CREATE INDEX dissemination_reports_resource_idx ON dissemination_reports (resource_id, sent_on);

CREATE TABLE use_reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  user_id bigint REFERENCES users(id) ON DELETE SET NULL,
  how_used text NOT NULL CHECK (length(how_used) BETWEEN 1 AND 2000),
  perspective text CHECK (perspective IN ('family','youth','educator','school_mh','community_mh','administrator','researcher',
    'physician','juvenile_justice','military_family','policymaker','other')),
  state_code char(2),
  setting text CHECK (setting IN ('school','district','state_agency','family','community','clinic','other')),
  quality smallint NOT NULL CHECK (quality BETWEEN 1 AND 5),
  relevance smallint NOT NULL CHECK (relevance BETWEEN 1 AND 5),
  usefulness smallint NOT NULL CHECK (usefulness BETWEEN 1 AND 5),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX use_reports_resource_idx ON use_reports (resource_id, created_at);

-- Every source of reach in one shape. Later capabilities (event attendance)
-- add a branch here; dashboards and reports read only this view and the
-- link rollups.
CREATE VIEW reach_ledger AS
  SELECT 'web'::text AS source, d.resource_id, d.day, d.unique_visitors::bigint AS people,
         NULL::bigint AS organization_id, NULL::bigint AS state_initiative_id, '{}'::text[] AS states,
         '{}'::text[] AS audiences, NULL::bigint AS entry_id
    FROM reach_daily d
  UNION ALL
  SELECT 'partner_report', r.resource_id, r.sent_on, r.recipients::bigint,
         r.organization_id, r.state_initiative_id, r.states, r.audiences, r.id
    FROM dissemination_reports r WHERE r.status <> 'questioned';

-- Monthly sums of the daily rollups (all figures are additive: a month's
-- visitors are the sum of its daily unique visitors), so a year-long
-- dashboard reads twelve rows per resource instead of 365.
CREATE TABLE reach_monthly (
  month date NOT NULL,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  page_views bigint NOT NULL,
  downloads bigint NOT NULL,
  link_visits bigint NOT NULL,
  unique_visitors bigint NOT NULL,
  PRIMARY KEY (month, resource_id)
);
CREATE TABLE reach_monthly_links (
  month date NOT NULL,
  link_id bigint NOT NULL REFERENCES share_links(id) ON DELETE CASCADE,
  visits bigint NOT NULL,
  unique_visitors bigint NOT NULL,
  PRIMARY KEY (month, link_id)
);
