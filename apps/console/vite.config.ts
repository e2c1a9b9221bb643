import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the control plane (and every proxy) at /ui/; hashed file names under /ui/assets/ are cached for a year.
export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", chunkSizeWarningLimit: 400, reportCompressedSize: true },
  server: { proxy: { "/v1": "http://127.0.0.1:8081" } },
});
