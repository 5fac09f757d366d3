-- The name of the project a fork was made from, kept with the fork: it follows the origin's
-- renames while the origin exists, and stays when the origin is deleted (forked_from_id then
-- goes NULL), so a fork keeps showing where it came from.
ALTER TABLE "projects" ADD COLUMN "forked_from_name" TEXT;

-- Forks whose origin still exists take its current name. A fork whose origin was deleted
-- before this migration has nothing left to name it by and stays NULL.
UPDATE "projects" AS f
SET "forked_from_name" = o."name"
FROM "projects" AS o
WHERE f."forked_from_id" = o."id";
