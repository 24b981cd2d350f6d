-- Email in: replies and new threads by email, held messages, mailing-list mode.

-- Each received message is handled once per recipient address (a mail server
-- that delivers it again, or a person who sends it twice, changes nothing).
-- Only the Message-ID, our own address and the outcome are kept: no sender
-- address and no text.
CREATE TABLE inbound_messages (
  message_id text NOT NULL CHECK (length(message_id) <= 300),
  recipient text NOT NULL CHECK (length(recipient) <= 300),
  outcome text NOT NULL DEFAULT 'received',
  post_id bigint REFERENCES posts(id) ON DELETE SET NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, recipient)
);
CREATE INDEX inbound_messages_received_idx ON inbound_messages (received_at);

-- A message sent by email that a check asked the author to look at first (the
-- student-privacy guard, the jargon check): kept for its author, who reviews it
-- on the web and publishes it or throws it away. Gone after 30 days.
CREATE TABLE held_posts (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  thread_id bigint REFERENCES threads(id) ON DELETE CASCADE,
  reply_to_id bigint REFERENCES posts(id) ON DELETE SET NULL,
  group_id bigint REFERENCES practice_groups(id) ON DELETE CASCADE,
  title text CHECK (title IS NULL OR length(title) <= 200),
  body text NOT NULL CHECK (length(body) <= 50000),
  language text NOT NULL DEFAULT 'en',
  reason text NOT NULL CHECK (reason IN ('privacy', 'jargon')),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Either a reply in a thread, or a new thread in a group.
  CHECK ((thread_id IS NULL) <> (group_id IS NULL))
);
CREATE INDEX held_posts_user_idx ON held_posts (user_id, created_at DESC);

-- Mailing-list mode: every new post in these groups arrives as its own email.
CREATE TABLE list_subscriptions (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, group_id)
);
CREATE INDEX list_subscriptions_group_idx ON list_subscriptions (group_id);

-- Each post is mailed to each list-mode member at most once (an edit sends nothing new).
CREATE TABLE list_deliveries (
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, user_id)
);
