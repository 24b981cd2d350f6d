-- Issue 8: indexes that match the busy pages' queries at national scale.

-- A page of a large group's members, by name: walk names in order and stop after a page.
CREATE INDEX IF NOT EXISTS users_name_idx ON users (name, id);

-- The library: its default order with every column its filters, facets and
-- readability test use, so the list's ids, its total and the facet counts come
-- from an index-only scan instead of reading each resource's wide row.
CREATE INDEX IF NOT EXISTS resources_facets_idx ON resources (published_on DESC NULLS LAST, id DESC)
  INCLUDE (kind, evidence_level, level, language, review_status, audiences, accessibility, topics, visibility, group_id, created_by)
  WHERE deleted_at IS NULL;
-- It has the listing index's key and predicate, so that one goes.
DROP INDEX IF EXISTS resources_listing_idx;
