-- The time a request waited for a free upstream pool connection (issue 13, finding 5).
ALTER TABLE "usage_records" ADD COLUMN "queued_ms" DOUBLE PRECISION NOT NULL DEFAULT 0;
