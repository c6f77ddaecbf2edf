import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * For a describe block whose tests run without the developer's AWS configuration: returns a function that clears
 * every AWS_* and CDK_DEFAULT_* variable and points HOME and the AWS config files at an empty folder (plus the
 * variables a test passes in). The environment is restored after each test.
 */
export function isolatedAwsEnvironment(): (extra?: Record<string, string>) => void {
  const saved = { ...process.env };
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "aws-home-"));
  });
  afterEach(() => {
    process.env = { ...saved };
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });
  return (extra = {}) => {
    for (const name of Object.keys(process.env)) {
      if (/^(AWS_|CDK_DEFAULT_)/.test(name)) delete process.env[name];
    }
    Object.assign(process.env, {
      HOME: home,
      AWS_CONFIG_FILE: join(home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      ...extra,
    });
  };
}
