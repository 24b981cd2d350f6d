-- The home page's "new in your groups' libraries": resources kept for a group.
CREATE INDEX resources_group_idx ON resources (group_id) WHERE group_id IS NOT NULL;
