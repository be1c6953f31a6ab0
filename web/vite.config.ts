// Vite build for the Alcove web UI.
//
// The output in `dist/` is committed and embedded into the `alcove` binary, so the build must be
// deterministic: file names carry a content hash, nothing carries a timestamp, and no source maps
// or inline scripts are emitted (the Content-Security-Policy forbids inline scripts).
/// <reference types="node" />
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

/** Writes a gzip copy of every script, style sheet and WebAssembly module next to it
 * (`x.js.gz`); the server sends it to browsers that accept gzip. Node's gzip output carries no
 * timestamp, so the copies are as deterministic as the files. */
function precompress(): Plugin {
  return {
    name: "alcove-precompress",
    apply: "build",
    enforce: "post",
    // After the files are written: earlier hooks still see code that later plugins rewrite.
    writeBundle(options, bundle) {
      const dir = options.dir ?? "dist";
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|wasm)$/.test(fileName)) continue;
        const path = join(dir, fileName);
        writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  base: "/",
  plugins: [precompress()],
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2020",
    // No preload helper: the one dynamic import (the wasm core) loads its chunk directly.
    modulePreload: false,
    // Never turn an asset into a data: URI; keep the bundle a plain list of files.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
