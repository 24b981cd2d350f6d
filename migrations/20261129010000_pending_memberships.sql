-- Issue 8: a group's pending requests and invitations, which managers see on
-- every view of the group page. Without this the page read every membership
-- of the group (4,000 in the benchmark's largest) to find none.
CREATE INDEX IF NOT EXISTS group_memberships_pending_idx ON group_memberships (group_id, created_at)
  WHERE status IN ('requested', 'invited');
