-- The newest posts' search vectors in a narrow table of their own, so that a
-- search finds and ranks its most recent matches without visiting the wide
-- `posts` rows or their out-of-line (TOASTed) vectors (bench/README.md,
-- session 23: a common pair of words matched 16,000 recent posts, each a
-- heap visit, and ranking read about 12 buffers per candidate).
--
-- It holds every post whose id is above `recent_post_search_floor()` (the
-- newest 100,000 ids), and a little more: rows are added by the trigger
-- below as posts are written, kept in step when a post's text changes, and
-- trimmed in batches as new posts arrive. Queries (discussions/queries.ts)
-- read it only above the floor, and the posts table below it, so a row the
-- trim has not reached yet, or a late commit below the floor, is never
-- counted twice nor missed.

CREATE TABLE recent_post_search (
  post_id bigint PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
  search tsvector NOT NULL
);
-- Kept in the row (compressed) rather than out of line: reading a candidate is one heap visit.
ALTER TABLE recent_post_search ALTER COLUMN search SET STORAGE MAIN;
CREATE INDEX recent_post_search_idx ON recent_post_search USING gin (search);

-- The one rule for which posts the table covers: ids above this.
CREATE FUNCTION recent_post_search_floor() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(max(id), 0) - 100000 FROM posts
$$;

-- Fills the table with every post above the floor (after a migration, or a bulk load that bypassed the trigger).
CREATE FUNCTION recent_post_search_refill() RETURNS void LANGUAGE sql AS $$
  INSERT INTO recent_post_search (post_id, search)
    SELECT id, search FROM posts WHERE id > recent_post_search_floor() - 10000
  ON CONFLICT (post_id) DO UPDATE SET search = EXCLUDED.search;
$$;

CREATE FUNCTION recent_post_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO recent_post_search (post_id, search) VALUES (NEW.id, NEW.search)
      ON CONFLICT (post_id) DO UPDATE SET search = EXCLUDED.search;
    -- Every thousandth post trims what has fallen well below the floor (the margin
    -- keeps rows the floor may still need while concurrent writers commit).
    IF NEW.id % 1000 = 0 THEN
      DELETE FROM recent_post_search WHERE post_id < recent_post_search_floor() - 10000;
    END IF;
  ELSE
    UPDATE recent_post_search SET search = NEW.search WHERE post_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER posts_recent_search_insert AFTER INSERT ON posts
  FOR EACH ROW EXECUTE FUNCTION recent_post_search_keep();
CREATE TRIGGER posts_recent_search_update AFTER UPDATE OF body, language ON posts
  FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.language IS DISTINCT FROM NEW.language)
  EXECUTE FUNCTION recent_post_search_keep();

SELECT recent_post_search_refill();
