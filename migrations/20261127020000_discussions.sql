-- Discussions: threads in a practice group or in the community-wide space
-- (group_id NULL), flat chronological posts with "in reply to" links,
-- edit history, soft deletion, "helpful" reactions and full-text search.

CREATE TABLE threads (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint REFERENCES practice_groups(id) ON DELETE CASCADE,
  author_id bigint REFERENCES users(id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','es')),
  pinned boolean NOT NULL DEFAULT false,
  locked boolean NOT NULL DEFAULT false,
  closed boolean NOT NULL DEFAULT false,
  reply_count int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  title_search tsvector GENERATED ALWAYS AS (
    CASE WHEN language = 'es' THEN to_tsvector('spanish'::regconfig, title) ELSE to_tsvector('english'::regconfig, title) END
  ) STORED
);
-- Listing a group's threads: pinned first, then latest activity (keyset-friendly).
CREATE INDEX threads_group_activity_idx ON threads (group_id, pinned DESC, last_activity_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX threads_title_search_idx ON threads USING gin (title_search);

CREATE TABLE posts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  author_id bigint REFERENCES users(id) ON DELETE SET NULL,
  -- The thread's opening post carries its body; replies follow in time order.
  is_opening boolean NOT NULL DEFAULT false,
  reply_to_id bigint REFERENCES posts(id) ON DELETE SET NULL,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 50000),
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','es')),
  version int NOT NULL DEFAULT 1,
  -- Rendered, sanitized HTML for `version` under renderer `render_version`.
  body_html text,
  render_version int NOT NULL DEFAULT 0,
  helpful_count int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    CASE WHEN language = 'es' THEN to_tsvector('spanish'::regconfig, body) ELSE to_tsvector('english'::regconfig, body) END
  ) STORED
);
CREATE INDEX posts_thread_idx ON posts (thread_id, created_at, id);
CREATE INDEX posts_author_idx ON posts (author_id, created_at DESC);
CREATE INDEX posts_search_idx ON posts USING gin (search);
CREATE UNIQUE INDEX posts_one_opening_idx ON posts (thread_id) WHERE is_opening;

CREATE TABLE post_revisions (
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  version int NOT NULL,
  body text NOT NULL,
  edited_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, version)
);

CREATE TABLE post_reactions (
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'helpful' CHECK (kind IN ('helpful')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, user_id, kind)
);
