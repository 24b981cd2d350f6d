-- A small set of reactions instead of "helpful" alone; each post keeps its
-- counts by kind, written in the same transaction as the reaction itself, so a
-- thread page reads them with the post.
ALTER TABLE post_reactions DROP CONSTRAINT post_reactions_kind_check;
ALTER TABLE post_reactions ADD CONSTRAINT post_reactions_kind_check CHECK (kind IN ('helpful', 'thanks', 'agree', 'will_try'));
ALTER TABLE posts ADD COLUMN reactions jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE posts SET reactions = jsonb_build_object('helpful', helpful_count) WHERE helpful_count > 0;
