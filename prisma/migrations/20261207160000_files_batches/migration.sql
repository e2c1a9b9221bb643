-- Files of the Files API kept in PostgreSQL by the proxies (issue 22): metadata, and the bytes in
-- chunks of at most 1 MiB (docs/files-batches.md).
CREATE TABLE "router_files" (
    "id" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "filename" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "created_ms" BIGINT NOT NULL,
    "complete" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "router_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "router_file_chunks" (
    "file_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "router_file_chunks_pkey" PRIMARY KEY ("file_id","seq")
);

-- CreateIndex
CREATE INDEX "router_files_owner_created_ms_idx" ON "router_files"("owner", "created_ms");

-- AddForeignKey
ALTER TABLE "router_file_chunks" ADD CONSTRAINT "router_file_chunks_file_id_fkey" FOREIGN KEY ("file_id") REFERENCES "router_files"("id") ON DELETE CASCADE ON UPDATE CASCADE;
