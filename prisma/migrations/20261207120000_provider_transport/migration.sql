-- Upstream transport per provider: egress proxy (sealed: it may hold a password), TLS files, HTTP/2.
ALTER TABLE "providers" ADD COLUMN "proxy_url" TEXT;
ALTER TABLE "providers" ADD COLUMN "ca_file" TEXT;
ALTER TABLE "providers" ADD COLUMN "cert_file" TEXT;
ALTER TABLE "providers" ADD COLUMN "key_file" TEXT;
ALTER TABLE "providers" ADD COLUMN "tls_insecure_skip_verify" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "providers" ADD COLUMN "http2" TEXT NOT NULL DEFAULT 'auto';
