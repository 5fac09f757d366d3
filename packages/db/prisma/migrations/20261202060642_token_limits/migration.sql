-- Token limits (spec §12): an optional expiry and an optional model allowlist per API token.
-- Existing tokens keep working as before: no expiry, every model.
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" TIMESTAMPTZ(3),
ADD COLUMN "models" JSONB;
