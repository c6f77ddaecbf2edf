import { defineWorkspaceConfig } from "@lambda-images/vitest-config";

// One suite that builds and runs containers: one file at a time, so two never build the same shared base image at once.
export default defineWorkspaceConfig({ test: { fileParallelism: false } });
