import { fileURLToPath } from "node:url";
import { defineWorkspaceConfig } from "@lambda-images/vitest-config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The image suites build and run containers: one file at a time, so two of them never build the same shared base
// image at once on a small machine (the unit tests are quick either way).
// testing/ imports this package by its own name: in its own tests that name is the source, not the build.
export default defineWorkspaceConfig({
  resolve: {
    alias: [
      { find: /^@lambda-images\/docker$/, replacement: source("./src/index.ts") },
      { find: /^@lambda-images\/docker\/publish$/, replacement: source("./src/publish/index.ts") },
    ],
  },
  test: { fileParallelism: false },
});
