-- Anthropic's Message Batches passed through to Anthropic, in cluster mode (issue 22): the router's id,
-- the owning key, the provider and the batch's id there (docs/files-batches.md). Message Batches the
-- router runs itself are rows of "router_batches" like any batch.
CREATE TABLE "router_message_batches" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "created_ms" BIGINT NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "router_message_batches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "router_message_batches_owner_created_ms_idx" ON "router_message_batches"("owner", "created_ms");
