-- Convenings: events (single or occurrences of a recurring series), registrations
-- with waitlist and accommodation requests, calendar feeds, attendance; and the
-- engagement rollups that facilitators' analytics read.

-- The time zone a person chose for dates and times (IANA name); NULL: the browser's, else the community's.
ALTER TABLE users ADD COLUMN time_zone text CHECK (time_zone IS NULL OR length(time_zone) <= 64);

-- A recurring series: an RFC 5545 rule applied to a wall-clock start in a time zone.
-- Its occurrences are rows in `events` (made when the series is created), so each
-- one can be registered for, changed on its own, or cancelled.
CREATE TABLE event_series (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rrule text NOT NULL CHECK (length(rrule) BETWEEN 1 AND 500),
  time_zone text NOT NULL,
  -- The first occurrence's wall-clock start in time_zone, as YYYY-MM-DDTHH:MM.
  starts_local text NOT NULL CHECK (starts_local ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$'),
  duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 10080),
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- iCalendar identity: UID stays for the life of the event, SEQUENCE rises with each change people are told about.
  uid text NOT NULL UNIQUE,
  sequence int NOT NULL DEFAULT 0,
  series_id bigint REFERENCES event_series(id) ON DELETE CASCADE,
  -- The occurrence's start under the rule (RFC 5545 RECURRENCE-ID), kept when the occurrence moves.
  recurrence_id timestamptz,
  -- Changed on its own: later changes to "all occurrences" leave it alone.
  detached boolean NOT NULL DEFAULT false,
  group_id bigint REFERENCES practice_groups(id) ON DELETE CASCADE,
  state_code char(2) REFERENCES state_initiatives(state_code) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('group_call','webinar','training','state_convening','annual_meeting','other')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  agenda text NOT NULL DEFAULT '' CHECK (length(agenda) <= 20000),
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en','es')),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- The organizer's time zone: how the event was planned (and how a series repeats).
  time_zone text NOT NULL,
  location text NOT NULL DEFAULT '' CHECK (length(location) <= 500),
  -- Shown only to people registered as going (and organizers).
  online_url text CHECK (length(online_url) <= 2000),
  capacity int CHECK (capacity BETWEEN 1 AND 1000000),
  registration_deadline timestamptz,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','cancelled')),
  notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
  -- Kept by the registration command under the event's row lock.
  going_count int NOT NULL DEFAULT 0,
  maybe_count int NOT NULL DEFAULT 0,
  waitlist_count int NOT NULL DEFAULT 0,
  attended_count int NOT NULL DEFAULT 0,
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK (group_id IS NULL OR state_code IS NULL),
  CHECK ((series_id IS NULL) = (recurrence_id IS NULL)),
  UNIQUE (series_id, recurrence_id)
);
CREATE INDEX events_starts_idx ON events (starts_at, id);
CREATE INDEX events_group_idx ON events (group_id, starts_at) WHERE group_id IS NOT NULL;
CREATE INDEX events_state_idx ON events (state_code, starts_at) WHERE state_code IS NOT NULL;
CREATE INDEX events_series_idx ON events (series_id, starts_at) WHERE series_id IS NOT NULL;

CREATE TABLE event_registrations (
  event_id bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  response text NOT NULL CHECK (response IN ('going','maybe','not_going')),
  -- going → confirmed (holds a seat) or waitlisted; maybe / not going → none.
  status text NOT NULL CHECK (status IN ('confirmed','waitlisted','none')),
  waitlisted_at timestamptz,
  accommodations text[] NOT NULL DEFAULT '{}' CHECK (accommodations <@ ARRAY['captioning','sign_language','interpretation','other']::text[]),
  interpretation_language text NOT NULL DEFAULT '' CHECK (length(interpretation_language) <= 100),
  accommodation_notes text NOT NULL DEFAULT '' CHECK (length(accommodation_notes) <= 2000),
  attended boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id),
  CHECK ((status = 'waitlisted') = (waitlisted_at IS NOT NULL))
);
CREATE INDEX event_registrations_waitlist_idx ON event_registrations (event_id, waitlisted_at) WHERE status = 'waitlisted';
CREATE INDEX event_registrations_user_idx ON event_registrations (user_id);

-- Recordings, slides and other material filed in the library after the event.
CREATE TABLE event_resources (
  event_id bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  resource_id bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'other' CHECK (role IN ('recording','slides','notes','other')),
  PRIMARY KEY (event_id, resource_id)
);

-- A person's private calendar feed: the URL carries a secret whose hash is kept here.
CREATE TABLE calendar_feeds (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Reminders sent, so a retried job never sends one twice.
CREATE TABLE event_reminders_sent (
  event_id bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('day','hour')),
  starts_at timestamptz NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id, kind, starts_at)
);

-- Event attendance joins the reach ledger as its own source.
CREATE OR REPLACE VIEW reach_ledger AS
  SELECT 'web'::text AS source, d.resource_id, d.day, d.unique_visitors::bigint AS people,
         NULL::bigint AS organization_id, NULL::bigint AS state_initiative_id, '{}'::text[] AS states,
         '{}'::text[] AS audiences, NULL::bigint AS entry_id
    FROM reach_daily d
  UNION ALL
  SELECT 'partner_report', r.resource_id, r.sent_on, r.recipients::bigint,
         r.organization_id, r.state_initiative_id, r.states, r.audiences, r.id
    FROM dissemination_reports r WHERE r.status <> 'questioned'
  UNION ALL
  SELECT 'event_attendance', NULL::bigint, (e.starts_at AT TIME ZONE 'UTC')::date, e.attended_count::bigint,
         NULL::bigint, s.id, CASE WHEN e.state_code IS NULL THEN '{}'::text[] ELSE ARRAY[e.state_code::text] END,
         '{}'::text[], e.id
    FROM events e LEFT JOIN state_initiatives s ON s.state_code = e.state_code
   WHERE e.attended_count > 0 AND e.status = 'scheduled';

-- ---- engagement analytics ------------------------------------------------------------------
-- One row per person, day and group (0: outside any group) with what they did;
-- kept by an hourly job that recomputes recent days from the activity tables.
CREATE TABLE engagement_daily (
  day date NOT NULL,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id bigint NOT NULL DEFAULT 0,
  posted int NOT NULL DEFAULT 0,
  replied int NOT NULL DEFAULT 0,
  attended int NOT NULL DEFAULT 0,
  shared int NOT NULL DEFAULT 0,
  used int NOT NULL DEFAULT 0,
  PRIMARY KEY (day, user_id, group_id)
);
CREATE INDEX engagement_daily_group_idx ON engagement_daily (group_id, day);
CREATE INDEX engagement_daily_user_idx ON engagement_daily (user_id, day);

-- The first day each person took part in anything: "new" versus "returning".
CREATE TABLE engagement_first (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  first_day date NOT NULL
);
CREATE INDEX engagement_first_day_idx ON engagement_first (first_day);
