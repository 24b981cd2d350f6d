-- Pictures and files in messages. Pictures are re-encoded by the server
-- (resized, WebP, no metadata) and carry the description the author wrote;
-- files are kept as uploaded after the library's checks. The bytes live in
-- the upload store under storage_key; who may fetch them is decided by the
-- message's thread, every time.
CREATE TABLE post_attachments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id bigint NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  uploaded_by bigint REFERENCES users(id) ON DELETE SET NULL,
  kind text NOT NULL CHECK (kind IN ('image', 'file')),
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes integer NOT NULL,
  storage_key text NOT NULL,
  alt text NOT NULL DEFAULT '' CHECK (length(alt) <= 300),
  width integer,
  height integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'image' OR length(btrim(alt)) > 0)
);
CREATE INDEX post_attachments_post_idx ON post_attachments (post_id);
