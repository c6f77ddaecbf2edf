/**
 * Runs dockerfilelint (the npm linter) on a Dockerfile, with the project's settings in
 * tools/docker/dockerfilelint/.dockerfilelintrc, and turns its items into findings.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Finding } from "./findings.js";

interface DockerfilelintItem {
  readonly title: string;
  readonly description: string;
  readonly line: number | string;
  readonly rule: string;
}

interface DockerfilelintModule {
  run(configDir: string, content: string): DockerfilelintItem[];
}

const require = createRequire(import.meta.url);
const dockerfilelint = require("dockerfilelint") as DockerfilelintModule;

/** The folder holding the project's .dockerfilelintrc. */
export const DOCKERFILELINT_CONFIG_DIR = fileURLToPath(new URL("../../dockerfilelint", import.meta.url));

export function runDockerfilelint(file: string, configDir: string = DOCKERFILELINT_CONFIG_DIR): Finding[] {
  const items = dockerfilelint.run(configDir, readFileSync(file, "utf8"));
  return items.map((item) => ({
    file,
    line: Number(item.line),
    rule: `dockerfilelint/${item.rule}`,
    message: `${item.title}. ${item.description}`,
  }));
}
