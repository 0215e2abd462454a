-- Number 005 belongs to a migration of a change developed alongside this one; this empty
-- step keeps the numbering continuous until that migration takes its place.
SELECT 1;
