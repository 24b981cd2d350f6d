-- Trust: two-factor sign-in, organizations' identity providers, data
-- downloads, account deletion, retention and contact requests.

-- TOTP (RFC 6238). Secrets are stored encrypted (AES-256-GCM, key derived
-- from SESSION_SECRET); the last accepted time step blocks replays.
ALTER TABLE users
  ADD COLUMN totp_secret text,
  ADD COLUMN totp_pending text,
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;

CREATE TABLE totp_recovery_codes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX totp_recovery_codes_user_idx ON totp_recovery_codes (user_id);

-- OpenID Connect providers configured by admins, and the identities linked to accounts.
CREATE TABLE oidc_providers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  issuer text NOT NULL CHECK (length(issuer) <= 500),
  client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 300),
  client_secret text NOT NULL,          -- encrypted like TOTP secrets
  scopes text NOT NULL DEFAULT 'openid email profile',
  allow_signup boolean NOT NULL DEFAULT true,
  organization_id bigint REFERENCES organizations(id) ON DELETE SET NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_identities (
  provider_id bigint NOT NULL REFERENCES oidc_providers(id) ON DELETE CASCADE,
  subject text NOT NULL,
  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- "Download your data" and "delete your account", done by jobs.
CREATE TABLE account_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint REFERENCES users(id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('export','delete')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done','failed','expired')),
  -- delete: 'anonymize' keeps posts under "Former member"; 'erase' removes them.
  posts text CHECK (posts IN ('anonymize','erase')),
  file_name text,
  token_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz,
  expires_at timestamptz
);
CREATE INDEX account_requests_user_idx ON account_requests (user_id, created_at DESC);
-- One pending request of each kind per person: a double submit makes one.
CREATE UNIQUE INDEX account_requests_pending_key ON account_requests (user_id, kind) WHERE status = 'pending';

-- Retention, set by admins; null keeps forever.
ALTER TABLE community
  ADD COLUMN retention_inactive_days int CHECK (retention_inactive_days IS NULL OR retention_inactive_days >= 90),
  ADD COLUMN retention_notification_days int DEFAULT 365 CHECK (retention_notification_days IS NULL OR retention_notification_days >= 30);

-- Warned before an inactive account is removed.
ALTER TABLE users ADD COLUMN retention_warned_at timestamptz;

-- "Reach a facilitator": a private message to the facilitators.
CREATE TABLE contact_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint REFERENCES users(id) ON DELETE SET NULL,
  topic text NOT NULL CHECK (topic IN ('safety','accessibility','account','content','other')),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  closed_by bigint REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX contact_requests_open_idx ON contact_requests (created_at DESC) WHERE status = 'open';
