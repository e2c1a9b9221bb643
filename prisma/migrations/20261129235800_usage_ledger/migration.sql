-- CreateTable
CREATE TABLE "usage_records" (
    "id" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "replica" TEXT NOT NULL,
    "seq" BIGINT,
    "ingress" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "model" TEXT,
    "provider" TEXT,
    "upstream_model" TEXT,
    "key_id" TEXT,
    "key_name" TEXT,
    "stream" BOOLEAN NOT NULL,
    "status" INTEGER NOT NULL,
    "error_code" TEXT,
    "attempts" JSONB NOT NULL DEFAULT '[]',
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "cached_tokens" INTEGER NOT NULL,
    "reasoning_tokens" INTEGER NOT NULL,
    "usage_estimated" BOOLEAN NOT NULL,
    "cost_usd" DOUBLE PRECISION,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "ttft_ms" DOUBLE PRECISION,
    "tokens_per_s" DOUBLE PRECISION,
    "request_bytes" INTEGER NOT NULL,
    "response_bytes" INTEGER NOT NULL,

    CONSTRAINT "usage_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_replica_spend" (
    "replica" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "cost_usd" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_replica_spend_pkey" PRIMARY KEY ("replica","key_id")
);

-- CreateIndex
CREATE INDEX "usage_records_time_id_idx" ON "usage_records"("time" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "usage_records_key_id_time_idx" ON "usage_records"("key_id", "time");

-- CreateIndex
CREATE INDEX "usage_records_model_time_idx" ON "usage_records"("model", "time");
