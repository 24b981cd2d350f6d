-- One-time sign-in links, mailed when an account's sign-in is throttled, so a
-- stranger's wrong guesses cannot lock its owner out.
ALTER TABLE email_tokens DROP CONSTRAINT IF EXISTS email_tokens_purpose_check;
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify','reset','change_email','sign_in'));

-- Where a personal API token was made: on the web (after any second factor) or
-- by an operator with `convene create-token`, which is trusted like the database.
ALTER TABLE api_tokens ADD COLUMN origin text NOT NULL DEFAULT 'web' CHECK (origin IN ('web', 'cli'));
