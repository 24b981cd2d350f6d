-- Foundation: the community, organizations, state initiatives, people and
-- accounts, practice groups and membership, sessions, tokens, rate limits,
-- idempotency keys and the audit log.

CREATE TABLE community (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL,
  short_name text NOT NULL DEFAULT '',
  mission text NOT NULL DEFAULT '',
  shared_agenda text NOT NULL DEFAULT '',
  reach_goal bigint NOT NULL DEFAULT 0 CHECK (reach_goal >= 0),
  website text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  short_name text NOT NULL DEFAULT '',
  kind text NOT NULL CHECK (kind IN ('facilitator','funder','member','state_agency','ta_center','university','family_org','youth_org','other')),
  level text NOT NULL CHECK (level IN ('local','state','national','international')),
  website text,
  states text[] NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  parent_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_kind_idx ON organizations (kind);
CREATE INDEX organizations_name_idx ON organizations (lower(name));

-- Which organizations facilitate and fund the community, and whom each funder supports.
CREATE TABLE community_roles (
  organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('facilitator','funder')),
  supports_organization_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
  position int NOT NULL DEFAULT 0,
  PRIMARY KEY (organization_id, role)
);

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  email_verified_at timestamptz,
  password_hash text,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  pronouns text NOT NULL DEFAULT '',
  bio text NOT NULL DEFAULT '',
  state_code char(2),
  birth_year int,
  is_youth boolean NOT NULL DEFAULT false,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('member','facilitator','admin')),
  perspectives text[] NOT NULL DEFAULT '{}' CHECK (perspectives <@ ARRAY[
    'family','youth','educator','school_mh','community_mh','administrator','researcher',
    'physician','juvenile_justice','military_family','policymaker','other']::text[]),
  expertise text[] NOT NULL DEFAULT '{}',
  -- Per profile field: public | members | private.
  visibility jsonb NOT NULL DEFAULT '{}',
  hidden boolean NOT NULL DEFAULT false,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en','es')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  deactivated_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_perspectives_idx ON users USING gin (perspectives);
CREATE INDEX users_state_idx ON users (state_code);

CREATE TABLE user_organizations (
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organization_id bigint NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  title text NOT NULL DEFAULT '',
  PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX user_organizations_org_idx ON user_organizations (organization_id);

CREATE TABLE state_initiatives (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  state_code char(2) NOT NULL UNIQUE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('exploring','active','sustaining','paused')),
  description text NOT NULL DEFAULT '',
  education_agency_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
  mental_health_agency_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE state_initiative_contacts (
  state_initiative_id bigint NOT NULL REFERENCES state_initiatives(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT '',
  PRIMARY KEY (state_initiative_id, user_id)
);

CREATE TABLE practice_groups (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  short_name text NOT NULL DEFAULT '',
  mission text NOT NULL DEFAULT '',
  led_by text NOT NULL DEFAULT 'none' CHECK (led_by IN ('family','youth','none')),
  visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public','members','private')),
  join_policy text NOT NULL DEFAULT 'open' CHECK (join_policy IN ('open','request','invite')),
  member_count int NOT NULL DEFAULT 0,
  created_by bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  archived_at timestamptz
);

CREATE TABLE group_priorities (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  position int NOT NULL CHECK (position > 0),
  text text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  UNIQUE (group_id, position)
);

CREATE TABLE group_memberships (
  group_id bigint NOT NULL REFERENCES practice_groups(id) ON DELETE CASCADE,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('lead','co_lead','member')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','requested','invited')),
  message text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_by bigint REFERENCES users(id) ON DELETE SET NULL,
  decided_at timestamptz,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_memberships_user_idx ON group_memberships (user_id);

CREATE TABLE sessions (
  id text PRIMARY KEY,             -- sha256 of the cookie's token, never the token itself
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL DEFAULT '',
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- One-time links sent by email: verify address, reset password, confirm a new address.
CREATE TABLE email_tokens (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('verify','reset','change_email')),
  token_hash text NOT NULL UNIQUE,
  new_email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

-- Fixed-window counters shared by every app process (login, sign-up, reset...).
CREATE TABLE rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count int NOT NULL DEFAULT 0,
  PRIMARY KEY (key, window_start)
);

-- A form's idempotency key makes a double submit create one record.
CREATE TABLE idempotency_keys (
  key text NOT NULL,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  result jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id bigint REFERENCES users(id) ON DELETE SET NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC);
