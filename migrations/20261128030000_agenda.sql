-- The shared agenda: community-level items with why they matter to each
-- perspective, owners, milestones and progress updates; group priorities and
-- threads/resources linked to items; groups' periodic depth-of-interaction reviews.

CREATE TABLE agenda_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','active','achieved','paused')),
  position int NOT NULL DEFAULT 0,
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- "Who cares about this and why?", one answer per stakeholder perspective.
CREATE TABLE agenda_why (
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  perspective text NOT NULL CHECK (perspective IN ('family','youth','educator','school_mh','community_mh','administrator','researcher',
    'physician','juvenile_justice','military_family','policymaker','other')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
  PRIMARY KEY (item_id, perspective)
);

-- Owners are organizations (a member of one may post progress updates).
CREATE TABLE agenda_owners (
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  PRIMARY KEY (item_id, organization_id)
);

CREATE TABLE agenda_milestones (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  due_on date,
  percent int NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agenda_milestones_item_idx ON agenda_milestones (item_id, due_on);

CREATE TABLE agenda_updates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  author_id bigint REFERENCES users(id) ON DELETE SET NULL,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agenda_updates_item_idx ON agenda_updates (item_id, created_at DESC);

-- A group's numbered priority advances an item (by number, so editing the
-- priorities' wording keeps the link).
CREATE TABLE agenda_priorities (
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  position int NOT NULL CHECK (position > 0),
  PRIMARY KEY (item_id, group_id, position)
);

-- Work done for an item: threads and resources (events later).
CREATE TABLE agenda_links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id bigint NOT NULL REFERENCES agenda_items(id) ON DELETE CASCADE,
  thread_id bigint REFERENCES threads(id) ON DELETE CASCADE,
  resource_id bigint REFERENCES resources(id) ON DELETE CASCADE,
  CHECK ((thread_id IS NULL) <> (resource_id IS NULL))
);
CREATE UNIQUE INDEX agenda_links_thread_idx ON agenda_links (item_id, thread_id) WHERE thread_id IS NOT NULL;
CREATE UNIQUE INDEX agenda_links_resource_idx ON agenda_links (item_id, resource_id) WHERE resource_id IS NOT NULL;

-- Depth of interaction: a group's periodic rating of itself on the community's four levels.
CREATE TABLE group_reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('informing','networking','collaborating','transforming')),
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
  reviewed_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_reviews_group_idx ON group_reviews (group_id, created_at DESC);
