import type { ViteUserConfig } from "vitest/config";

export declare function defineWorkspaceConfig(overrides?: ViteUserConfig): ViteUserConfig;
