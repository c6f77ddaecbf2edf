import { defineWorkspaceConfig } from "@lambda-images/vitest-config";

export default defineWorkspaceConfig();
