-- The lineage of this database's routing tables: created with the database, published in every table,
-- so proxies accept a new deployment's tables (revision 1 again) instead of refusing them as older.
ALTER TABLE "publish_state" ADD COLUMN "lineage" TEXT NOT NULL DEFAULT (gen_random_uuid())::text;
