-- Session affinity per model (off, session or prefix). NULL means the default: session for a chat model with several targets.
ALTER TABLE "models" ADD COLUMN "affinity" TEXT;
-- Cache-aware accounting: prompt-cache writes and what the cache saved (NULL without a price).
ALTER TABLE "usage_records" ADD COLUMN "cache_creation_tokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "usage_records" ADD COLUMN "cache_saved_usd" DOUBLE PRECISION;
