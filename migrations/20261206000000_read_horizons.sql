-- "Mark everything read": one time per person before which nothing counts as new
-- or unread (rather than a read mark written for every thread).
CREATE TABLE read_horizons (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  cleared_at timestamptz NOT NULL
);
-- Latest across every space, and New (threads started lately), page by page.
CREATE INDEX threads_activity_idx ON threads (last_activity_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX threads_created_idx ON threads (created_at DESC, id DESC) WHERE deleted_at IS NULL;
