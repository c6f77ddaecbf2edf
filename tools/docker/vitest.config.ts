import { defineWorkspaceConfig } from "@lambda-images/vitest-config";

// The image suites build and run containers: one file at a time, so two of them never build the same shared base
// image at once on a small machine (the unit tests are quick either way).
export default defineWorkspaceConfig({ test: { fileParallelism: false } });
