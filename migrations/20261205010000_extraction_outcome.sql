-- Why a file's text could not be extracted (too large, too slow, unreadable);
-- NULL when it was extracted or the kind has no text.
ALTER TABLE resource_files ADD COLUMN extract_error text CHECK (extract_error IN ('too_large', 'too_slow', 'unreadable'));
