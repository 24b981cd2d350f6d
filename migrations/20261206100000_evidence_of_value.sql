-- Evidence of value (issue 28): asking about actual use, value-creation stories,
-- and decisions the partnership makes together.

-- ---- asking about actual use ------------------------------------------------------------------
ALTER TABLE community ADD COLUMN followup_delay_days integer NOT NULL DEFAULT 30 CHECK (followup_delay_days BETWEEN 1 AND 365);
ALTER TABLE users ADD COLUMN followups_off boolean NOT NULL DEFAULT false;

-- A use report is about a resource or a convening, and says where it came from.
ALTER TABLE use_reports ALTER COLUMN resource_id DROP NOT NULL;
ALTER TABLE use_reports ADD COLUMN event_id bigint REFERENCES events(id) ON DELETE CASCADE;
ALTER TABLE use_reports ADD COLUMN source text NOT NULL DEFAULT 'unprompted' CHECK (source IN ('unprompted', 'followup'));
ALTER TABLE use_reports ADD CONSTRAINT use_reports_subject_check CHECK ((resource_id IS NULL) <> (event_id IS NULL));
CREATE INDEX use_reports_event_idx ON use_reports (event_id, created_at) WHERE event_id IS NOT NULL;
CREATE INDEX use_reports_user_idx ON use_reports (user_id) WHERE user_id IS NOT NULL;

-- One question per person and thing, whatever made it due (a download, a tracked link, attending).
CREATE TABLE use_followups (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  resource_id bigint REFERENCES resources(id) ON DELETE CASCADE,
  event_id bigint REFERENCES events(id) ON DELETE CASCADE,
  trigger text NOT NULL CHECK (trigger IN ('download', 'link', 'attended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL,
  asked_at timestamptz,
  emailed_at timestamptz,
  answered_at timestamptz,
  -- used: a use report was filed; not_used / not_yet: answered without one; skipped: not asked
  -- (the person had turned follow-ups off, lost access, or had already reported a use).
  outcome text CHECK (outcome IN ('used', 'not_used', 'not_yet', 'dismissed', 'skipped')),
  use_report_id bigint REFERENCES use_reports(id) ON DELETE SET NULL,
  CHECK ((resource_id IS NULL) <> (event_id IS NULL))
);
CREATE UNIQUE INDEX use_followups_resource_key ON use_followups (user_id, resource_id) WHERE resource_id IS NOT NULL;
CREATE UNIQUE INDEX use_followups_event_key ON use_followups (user_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX use_followups_due_idx ON use_followups (due_at) WHERE asked_at IS NULL AND outcome IS NULL;
CREATE INDEX use_followups_open_idx ON use_followups (user_id, asked_at) WHERE asked_at IS NOT NULL AND answered_at IS NULL;
CREATE INDEX use_followups_asked_idx ON use_followups (asked_at) WHERE asked_at IS NOT NULL;

-- ---- value-creation stories -------------------------------------------------------------------
CREATE TABLE value_stories (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author_id bigint REFERENCES users(id) ON DELETE SET NULL,
  group_id bigint REFERENCES practice_groups(id) ON DELETE SET NULL,
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
  cycles text[] NOT NULL CHECK (cardinality(cycles) >= 1 AND cycles <@ ARRAY['immediate', 'potential', 'applied', 'realized', 'reframing']),
  perspectives text[] NOT NULL DEFAULT '{}',
  -- Who the author lets see it: the group's members, every signed-in member, or everyone.
  audience text NOT NULL CHECK (audience IN ('group', 'members', 'public')),
  -- Beyond the group only once a facilitator has approved it.
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'returned')),
  review_note text NOT NULL DEFAULT '' CHECK (length(review_note) <= 2000),
  reviewed_by bigint REFERENCES users(id) ON DELETE SET NULL,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (audience <> 'group' OR group_id IS NOT NULL)
);
CREATE INDEX value_stories_group_idx ON value_stories (group_id, created_at DESC);
CREATE INDEX value_stories_review_idx ON value_stories (created_at) WHERE status = 'pending' AND audience <> 'group';
CREATE INDEX value_stories_author_idx ON value_stories (author_id);

CREATE TABLE value_story_links (
  story_id bigint NOT NULL REFERENCES value_stories(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('thread', 'resource', 'event', 'agenda_item')),
  target_id bigint NOT NULL,
  PRIMARY KEY (story_id, kind, target_id)
);
CREATE INDEX value_story_links_target_idx ON value_story_links (kind, target_id);

-- ---- deciding together ------------------------------------------------------------------------
CREATE TABLE decisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  thread_id bigint NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('poll', 'proposal')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  details text NOT NULL DEFAULT '' CHECK (length(details) <= 5000),
  multiple boolean NOT NULL DEFAULT false,
  anonymous boolean NOT NULL DEFAULT false,
  closes_at timestamptz NOT NULL,
  closed_at timestamptz,
  outcome text CHECK (length(outcome) <= 5000),
  agenda_item_id bigint REFERENCES agenda_items(id) ON DELETE SET NULL,
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'poll' OR NOT multiple)
);
CREATE INDEX decisions_thread_idx ON decisions (thread_id);
CREATE INDEX decisions_agenda_idx ON decisions (agenda_item_id) WHERE agenda_item_id IS NOT NULL;

CREATE TABLE decision_options (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  decision_id bigint NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
  position integer NOT NULL,
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  UNIQUE (decision_id, position)
);

-- One vote per person; changed in place until the decision closes.
CREATE TABLE decision_votes (
  decision_id bigint NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  option_ids bigint[] NOT NULL DEFAULT '{}',
  stance text CHECK (stance IN ('agree', 'abstain', 'disagree', 'block')),
  reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
  -- The voter's perspectives when they voted (as posts keep their author's).
  perspectives text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (decision_id, user_id),
  CHECK ((stance IS NULL) <> (cardinality(option_ids) = 0))
);
CREATE INDEX decision_votes_user_idx ON decision_votes (user_id);

-- The thread page asks for its decisions only when it has some.
ALTER TABLE threads ADD COLUMN decision_count integer NOT NULL DEFAULT 0;

-- An agenda item's progress updates carry the outcomes of decisions linked to it.
ALTER TABLE agenda_updates ADD COLUMN decision_id bigint REFERENCES decisions(id) ON DELETE SET NULL;

-- Opening a poll or proposal tells the people who may weigh in.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('mention','reply','watched_post','new_thread','moderation','reminder','decision'));
