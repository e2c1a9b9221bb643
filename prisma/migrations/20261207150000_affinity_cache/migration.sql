-- Session affinity per model (off, session or prefix). NULL means the default: session for a chat model with several targets.
ALTER TABLE "models" ADD COLUMN "affinity" TEXT;
