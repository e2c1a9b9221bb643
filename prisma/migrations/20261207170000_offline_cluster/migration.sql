-- The offline APIs in cluster mode (issue 22): batches, their finished lines, and fine-tuning jobs, kept
-- in PostgreSQL so every proxy replica answers for every object and the health worker resumes a batch
-- after a crash (docs/files-batches.md).
CREATE TABLE "router_batches" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "created_ms" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "router_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "router_batches_owner_created_ms_idx" ON "router_batches"("owner", "created_ms");

-- CreateTable
CREATE TABLE "router_batch_results" (
    "seq" BIGSERIAL NOT NULL,
    "batch_id" TEXT NOT NULL,
    "custom_id" TEXT NOT NULL,
    "line" TEXT NOT NULL,

    CONSTRAINT "router_batch_results_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "router_batch_results_batch_id_custom_id_key" ON "router_batch_results"("batch_id", "custom_id");

-- CreateTable
CREATE TABLE "router_ft_jobs" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "created_ms" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "router_ft_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "router_ft_jobs_owner_created_ms_idx" ON "router_ft_jobs"("owner", "created_ms");

-- Usage records keep the batch a line was charged for (null for live traffic).
ALTER TABLE "usage_records" ADD COLUMN "batch_id" TEXT;
