-- CreateTable
CREATE TABLE "router_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "auth_required" BOOLEAN NOT NULL DEFAULT false,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "router_settings_pkey" PRIMARY KEY ("id")
);

-- An installation that already has client keys keeps authentication on whatever happens to them.
INSERT INTO "router_settings" ("id", "auth_required") SELECT 1, EXISTS (SELECT 1 FROM "client_keys");
