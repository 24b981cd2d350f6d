-- Private conversations between two and ten people. A conversation involving
-- a youth member is marked so facilitators can see it (the community's youth
-- safeguard); messages can be reported to the facilitators and hidden by them.
CREATE TABLE conversations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  involves_youth boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_message_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_youth_idx ON conversations (last_message_at DESC) WHERE involves_youth;

CREATE TABLE conversation_members (
  conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  joined_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz,
  left_at timestamptz,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user_idx ON conversation_members (user_id, conversation_id) WHERE left_at IS NULL;

CREATE TABLE conversation_messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author_id bigint REFERENCES users(id) ON DELETE SET NULL,
  body text NOT NULL,
  body_html text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  hidden_at timestamptz,
  hidden_by bigint REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, id);

CREATE TABLE conversation_reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id bigint NOT NULL REFERENCES conversation_messages(id) ON DELETE CASCADE,
  reporter_id bigint REFERENCES users(id) ON DELETE SET NULL,
  reason text NOT NULL CHECK (reason IN ('student_privacy','harassment','spam','off_topic','other')),
  note text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by bigint REFERENCES users(id) ON DELETE SET NULL,
  UNIQUE (message_id, reporter_id)
);
CREATE INDEX conversation_reports_open_idx ON conversation_reports (created_at) WHERE resolved_at IS NULL;
