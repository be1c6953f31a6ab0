// Vite build for the Alcove web UI.
//
// The output in `dist/` is committed and embedded into the `alcove` binary, so the build must be
// deterministic: file names carry a content hash, nothing carries a timestamp, and no source maps
// or inline scripts are emitted (the Content-Security-Policy forbids inline scripts).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2020",
    modulePreload: { polyfill: false },
    // Never turn an asset into a data: URI; keep the bundle a plain list of files.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
