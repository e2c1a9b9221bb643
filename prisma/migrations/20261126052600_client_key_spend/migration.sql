-- AlterTable
ALTER TABLE "client_keys" ADD COLUMN     "spend_reset_at" TIMESTAMP(3),
ADD COLUMN     "spent_usd" DOUBLE PRECISION;
