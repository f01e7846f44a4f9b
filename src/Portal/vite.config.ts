import { defineConfig } from "vitest/config";

// The Api serves dist/ at "/" with a strict CSP (no inline scripts): Vite emits only external module scripts.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` talks to an Api running locally on the usual port.
    proxy: {
      "/coconstruisons.v1.": "http://127.0.0.1:8000",
      "/api": "http://127.0.0.1:8000",
      "/images": "http://127.0.0.1:8000",
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
  },
});
