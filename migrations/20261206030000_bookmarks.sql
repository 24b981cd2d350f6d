-- Bookmarks: a member keeps a post (the opening post stands for its thread)
-- with an optional note and an optional reminder, which arrives as a
-- notification (and by email, as their settings say) when it is due.
CREATE TABLE bookmarks (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  remind_at timestamptz,
  reminded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, post_id)
);
-- A person's list, newest first.
CREATE INDEX bookmarks_user_created_idx ON bookmarks (user_id, created_at DESC);

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention','reply','watched_post','new_thread','moderation','reminder'));
-- A reminder may come again for the same post (set, reminded, set again); the bookmark says whether it is due.
DROP INDEX notifications_once_idx;
CREATE UNIQUE INDEX notifications_once_idx ON notifications (user_id, post_id, kind) WHERE kind NOT IN ('moderation', 'reminder');
