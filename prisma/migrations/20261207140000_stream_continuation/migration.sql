-- Mid-stream continuation, opt-in per model (issue 25): a stream that breaks after text reached the
-- client is finished on another target that takes an assistant prefill.
ALTER TABLE "models" ADD COLUMN "stream_continuation" BOOLEAN NOT NULL DEFAULT false;
