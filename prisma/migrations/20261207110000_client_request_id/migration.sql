-- The client's x-request-id, kept beside the proxy's own record id (issue 27, finding 3).
ALTER TABLE "usage_records" ADD COLUMN "client_request_id" TEXT;

CREATE INDEX "usage_records_client_request_id_idx" ON "usage_records"("client_request_id");
