-- Why a token stopped working: 'revoked' (DELETE /tokens/{id}) or 'membership_ended' (its
-- user left, or was removed from, the client it is bound to). NULL while live, and for
-- tokens revoked before this column existed.
ALTER TABLE "api_tokens" ADD COLUMN "revoked_reason" TEXT;

-- A token is usable only while its user is a member of its client. Before this migration a
-- member's removal left their tokens bound to that client live: revoke those now.
UPDATE "api_tokens" AS t
SET "revoked_at" = now(), "revoked_reason" = 'membership_ended'
WHERE t."revoked_at" IS NULL
  AND NOT EXISTS (SELECT 1 FROM "memberships" m WHERE m."client_id" = t."client_id" AND m."user_id" = t."user_id");
