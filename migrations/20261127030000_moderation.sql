-- Moderation: members flag posts; facilitators and group leads work a queue
-- (hide, restore, dismiss, redact); every moderator action is audited.

ALTER TABLE posts ADD COLUMN hidden_at timestamptz;
ALTER TABLE posts ADD COLUMN hidden_by bigint REFERENCES users(id) ON DELETE SET NULL;

CREATE TABLE post_flags (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  flagger_id bigint REFERENCES users(id) ON DELETE SET NULL,
  reason text NOT NULL CHECK (reason IN ('student_privacy','harassment','spam','off_topic','other')),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by bigint REFERENCES users(id) ON DELETE SET NULL,
  resolution text CHECK (resolution IN ('hidden','dismissed','redacted'))
);
-- One open flag per person per post.
CREATE UNIQUE INDEX post_flags_open_idx ON post_flags (post_id, flagger_id) WHERE resolved_at IS NULL;
CREATE INDEX post_flags_queue_idx ON post_flags (created_at) WHERE resolved_at IS NULL;
