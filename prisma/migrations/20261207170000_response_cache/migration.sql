-- Exact-match response cache per model: seconds a cached answer is served (NULL: no response cache).
ALTER TABLE "models" ADD COLUMN "cache_ttl_s" INTEGER;
-- Cached answers shared across client keys (default: each key its own).
ALTER TABLE "models" ADD COLUMN "cache_shared" BOOLEAN NOT NULL DEFAULT false;
-- Automatic Anthropic prompt-cache breakpoints per model (NULL: the default, on).
ALTER TABLE "models" ADD COLUMN "cache_breakpoints" BOOLEAN;
-- A request answered from the response cache (cost 0, cache_saved_usd says what it saved).
ALTER TABLE "usage_records" ADD COLUMN "cache_hit" BOOLEAN NOT NULL DEFAULT false;
