-- AlterTable
ALTER TABLE "providers" ADD COLUMN     "health_override" TEXT;

-- CreateTable
CREATE TABLE "capabilities" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,

    CONSTRAINT "capabilities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_capabilities" (
    "model_id" INTEGER NOT NULL,
    "capability_id" INTEGER NOT NULL,

    CONSTRAINT "model_capabilities_pkey" PRIMARY KEY ("model_id","capability_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "capabilities_name_key" ON "capabilities"("name");

-- CreateIndex
CREATE INDEX "model_capabilities_capability_id_idx" ON "model_capabilities"("capability_id");

-- AddForeignKey
ALTER TABLE "model_capabilities" ADD CONSTRAINT "model_capabilities_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "model_capabilities" ADD CONSTRAINT "model_capabilities_capability_id_fkey" FOREIGN KEY ("capability_id") REFERENCES "capabilities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The original's capabilities and the ones the router checks requests against.
INSERT INTO "capabilities" ("name", "description") VALUES
  ('TEXT', 'Text chat'),
  ('MULTIMODAL_IMAGE_UNDERSTANDING', 'Images in chat messages'),
  ('TOOLS', 'Tool / function calling'),
  ('EMBEDDING', 'Embeddings'),
  ('IMAGE_GENERATION', 'Image generation from text'),
  ('TEXT_TO_IMAGE', 'Image generation from text (the original''s name)'),
  ('IMAGE_TO_IMAGE', 'Image edits and variations'),
  ('REASONING', 'Reasoning / thinking output'),
  ('JSON_OUTPUT', 'JSON mode and structured output (response_format)');
