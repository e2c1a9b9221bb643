-- A stream holds an upstream connection for its whole life (seconds to minutes): pools sized for streams.
ALTER TABLE "providers" ALTER COLUMN "max_connections" SET DEFAULT 1024;
