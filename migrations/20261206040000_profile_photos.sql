-- Profile photos: re-encoded by the server (square, WebP, no metadata) and kept
-- in the database with the account; users.photo_version names the current one,
-- so its address changes whenever the photo does and can be cached for long.
CREATE TABLE user_photos (
  user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  image bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE users ADD COLUMN photo_version integer;
