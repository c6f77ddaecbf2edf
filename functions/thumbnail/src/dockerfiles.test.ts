/**
 * sharp is external to the bundle and installed by each Dockerfile at a pinned version: that pin, the dependency
 * in package.json and the version installed here for the tests must be one and the same.
 */
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";

const STRATEGIES = ["aws-base", "os-only", "non-aws"] as const;

const read = (file: string): string => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

const packageJson = JSON.parse(read("package.json")) as {
  dependencies: Record<string, string>;
  lambda: { build: { external: string[] } };
};

describe("sharp in the images", () => {
  const pinned = packageJson.dependencies.sharp;

  it("is an exact version in package.json, left out of the bundle", () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(packageJson.lambda.build.external).toContain("sharp");
  });

  it("is the version the tests run against", () => {
    expect(sharp.versions.sharp).toBe(pinned);
  });

  for (const strategy of STRATEGIES) {
    it(`is installed at that version by Dockerfile.${strategy}, into the task root, and checked to load`, () => {
      const dockerfile = read(`Dockerfile.${strategy}`);
      const args = [...dockerfile.matchAll(/^ARG SHARP_VERSION=(\S+)$/gm)].map((match) => match[1]);
      expect(args).toEqual([pinned]);
      expect(dockerfile).toMatch(/npm install [^\n]*\\\n\s+"sharp@\$\{SHARP_VERSION\}"/);
      expect(dockerfile).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, written as in the Dockerfile
        "COPY --from=sharp /opt/sharp/node_modules/ ${LAMBDA_TASK_ROOT}/node_modules/",
      );
      expect(dockerfile).toContain(`node -e "require('sharp')"`);
    });
  }
});
