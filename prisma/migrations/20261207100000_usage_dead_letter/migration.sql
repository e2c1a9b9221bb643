-- Usage records the ledger could not store (issue 27, finding 1): a row the database refused, a record
-- that fails the schema, a batch past its delivery limit. Kept for operators (docs/usage-ledger.md).
CREATE TABLE "usage_dead_letter" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "record_id" TEXT,
    "replica" TEXT,
    "source" TEXT,
    "raw" TEXT NOT NULL,
    "raw_bytes" INTEGER NOT NULL,

    CONSTRAINT "usage_dead_letter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_dead_letter_at_idx" ON "usage_dead_letter"("at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_dead_letter_source_key" ON "usage_dead_letter"("source");
