-- A fork keeps its origin's id after the origin is deleted (it was set to NULL, and the
-- dashboard lost the "Forked from" line): the column becomes a plain reference.
ALTER TABLE "projects" DROP CONSTRAINT "projects_forked_from_id_fkey";
