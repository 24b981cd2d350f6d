-- Notifications, watch levels, email preferences, @mention handles, Dialogue
-- Guides, and the author's perspectives recorded on each post.

-- ---- @handles -------------------------------------------------------------------
-- Every person gets a handle others can @mention. A trigger makes one from
-- the name when none is given (accents folded, made unique with a number).
ALTER TABLE users ADD COLUMN handle text;

CREATE FUNCTION convene_make_handle(p_name text, p_id bigint) RETURNS text AS $$
DECLARE
  base text;
  candidate text;
  n int := 1;
BEGIN
  base := lower(translate(p_name,
    'ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇç',
    'AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCc'));
  base := regexp_replace(base, '[^a-z0-9]+', '', 'g');
  IF length(base) < 2 THEN base := 'member' || coalesce(p_id::text, ''); END IF;
  base := left(base, 24);
  candidate := base;
  WHILE EXISTS (SELECT 1 FROM users WHERE lower(handle) = candidate AND id IS DISTINCT FROM p_id) LOOP
    n := n + 1;
    candidate := base || n::text;
  END LOOP;
  RETURN candidate;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION convene_users_handle() RETURNS trigger AS $$
BEGIN
  IF NEW.handle IS NULL OR NEW.handle = '' THEN
    NEW.handle := convene_make_handle(NEW.name, NEW.id);
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

UPDATE users SET handle = convene_make_handle(name, id) WHERE handle IS NULL;
-- Row by row above can still collide between two rows renamed in the same statement; fix any such pair.
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT id, name FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE lower(v.handle) = lower(u.handle) AND v.id < u.id) LOOP
    UPDATE users SET handle = NULL WHERE id = r.id;
    UPDATE users SET handle = convene_make_handle(r.name, r.id) WHERE id = r.id;
  END LOOP;
END $$;

CREATE TRIGGER users_handle BEFORE INSERT OR UPDATE OF handle ON users
  FOR EACH ROW EXECUTE FUNCTION convene_users_handle();
ALTER TABLE users ALTER COLUMN handle SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_handle_format CHECK (handle ~ '^[a-z0-9][a-z0-9_]{1,29}$');
CREATE UNIQUE INDEX users_handle_key ON users (lower(handle));

-- ---- email preferences ----------------------------------------------------------
ALTER TABLE users ADD COLUMN email_notifications text NOT NULL DEFAULT 'immediate'
  CHECK (email_notifications IN ('immediate','daily','weekly','off'));
ALTER TABLE users ADD COLUMN digest_sent_at timestamptz;

-- ---- watch levels -----------------------------------------------------------------
-- watching: every new post; tracking: new threads (groups) or unread counts
-- (threads), plus mentions and replies; normal: mentions and replies only;
-- muted: nothing.
CREATE TABLE group_watches (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('watching','tracking','normal','muted')),
  PRIMARY KEY (user_id, group_id)
);
CREATE INDEX group_watches_group_idx ON group_watches (group_id, level);

CREATE TABLE thread_watches (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  level text NOT NULL CHECK (level IN ('watching','tracking','normal','muted')),
  PRIMARY KEY (user_id, thread_id)
);
CREATE INDEX thread_watches_thread_idx ON thread_watches (thread_id, level);

-- ---- notifications ------------------------------------------------------------------
CREATE TABLE notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('mention','reply','watched_post','new_thread','moderation')),
  thread_id bigint REFERENCES threads(id) ON DELETE CASCADE,
  post_id bigint REFERENCES posts(id) ON DELETE CASCADE,
  actor_id bigint REFERENCES users(id) ON DELETE SET NULL,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  emailed_at timestamptz
);
-- One notification per person per post and kind: a retried job adds nothing
-- (moderation outcomes may repeat: hidden, then restored).
CREATE UNIQUE INDEX notifications_once_idx ON notifications (user_id, post_id, kind) WHERE kind <> 'moderation';
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- ---- posts: author perspectives (as they were when posting), Dialogue Guide answers ----
ALTER TABLE posts ADD COLUMN perspectives text[] NOT NULL DEFAULT '{}';
UPDATE posts p SET perspectives = u.perspectives FROM users u WHERE u.id = p.author_id;
CREATE INDEX posts_perspectives_idx ON posts USING gin (perspectives);

-- ---- Dialogue Guides ------------------------------------------------------------------
ALTER TABLE threads ADD COLUMN kind text NOT NULL DEFAULT 'discussion' CHECK (kind IN ('discussion','dialogue_guide'));
ALTER TABLE threads ADD COLUMN source_title text CHECK (length(source_title) <= 200);
ALTER TABLE threads ADD COLUMN source_url text CHECK (length(source_url) <= 2000);
ALTER TABLE threads ADD COLUMN summary_common_ground text CHECK (length(summary_common_ground) <= 20000);
ALTER TABLE threads ADD COLUMN summary_actions text CHECK (length(summary_actions) <= 20000);
ALTER TABLE threads ADD COLUMN summary_by bigint REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE threads ADD COLUMN summary_at timestamptz;

CREATE TABLE dialogue_questions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('reaction','application')),
  position int NOT NULL,
  prompt text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 500),
  UNIQUE (thread_id, kind, position)
);
ALTER TABLE posts ADD COLUMN question_id bigint REFERENCES dialogue_questions(id) ON DELETE SET NULL;
CREATE INDEX posts_question_idx ON posts (question_id) WHERE question_id IS NOT NULL;

-- ---- links between threads and what each person has read ---------------------------------
CREATE TABLE thread_links (
  from_post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  to_thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  PRIMARY KEY (from_post_id, to_thread_id)
);
CREATE INDEX thread_links_to_idx ON thread_links (to_thread_id);

CREATE TABLE thread_reads (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, thread_id)
);
