import { execFileSync } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  contentTag,
  LocalRegistry,
  publishFunction,
  readDigestRecords,
  repositoryName,
  stageDeployDir,
  writeDigestRecord,
} from "@lambda-images/docker/publish";
import {
  isolatedAwsEnvironment,
  localRegistryForTests,
  putTestImage,
  TEST_REGISTRY_HOST as registryHost,
  uniqueSuffix,
} from "@lambda-images/docker/testing";
import { architecturePlatform, discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main as deployMain, INFRA_DIR, synthLocal } from "./cli.js";
import { imageUriIn, verifyTemplateDigests } from "./verify.js";

const workspaceRoot = findWorkspaceRoot();
const functions = discoverFunctions(workspaceRoot);
const registryTests = await localRegistryForTests(registryHost);

describe.runIf(registryTests.run)(
  "the offline deploy rehearsal (DEPLOY_TARGET=local): registry -> digests -> cdk synth",
  () => {
    const stage = `t${uniqueSuffix()}`;
    const registry = new LocalRegistry(registryHost);
    const pushed = new Map<string, { tag: string; digest: string }>();

    beforeAll(async () => {
      // The CDK CLI runs the compiled app (cdk.json: node dist/app.js): compile the current sources.
      const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
      execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
        cwd: INFRA_DIR,
        stdio: "inherit",
      });
      await registry.check();
      // Each function's image, put in its repository through the registry API (no Docker engine needed), then
      // recorded by the real publish step, which finds the content tag already there and pushes nothing.
      for (const fn of functions) {
        const contentHash = uniqueSuffix() + uniqueSuffix();
        const tag = contentTag(fn.version, contentHash);
        const digest = await putTestImage(registryHost, repositoryName(stage, fn.name), tag);
        pushed.set(fn.name, { tag, digest });
        const result = await publishFunction({
          fn,
          stage,
          registry,
          deployDir: stageDeployDir(workspaceRoot, stage),
          // putTestImage's config says linux/amd64: the example functions are x86_64.
          image: { reference: `${fn.name}:${fn.strategy}`, contentHash, platform: "linux/amd64" },
        });
        expect(result.pushed).toBe(false);
      }
    }, 120_000);

    afterAll(() => {
      rmSync(stageDeployDir(workspaceRoot, stage), { recursive: true, force: true });
      rmSync(join(INFRA_DIR, "cdk.out", stage), { recursive: true, force: true });
    });

    it("synthesizes with `cdk synth -q` a template that references the digest the registry holds", async () => {
      const lines = await synthLocal(registry, stage, workspaceRoot);
      expect(lines).toHaveLength(functions.length);
      const template = join(INFRA_DIR, "cdk.out", stage, "Functions.template.json");
      for (const fn of functions) {
        const expected = pushed.get(fn.name);
        if (expected === undefined) throw new Error(`nothing pushed for ${fn.name}`);
        // Ask the registry itself, with the manifest Accept header, which digest the tag names.
        const response = await fetch(
          `http://${registryHost}/v2/${repositoryName(stage, fn.name)}/manifests/${expected.tag}`,
          {
            method: "HEAD",
            headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
          },
        );
        const served = response.headers.get("docker-content-digest");
        expect(served).toBe(expected.digest);
        expect(imageUriIn(template, `lambda-images-${stage}-${fn.name}`)).toContain(
          `/${repositoryName(stage, fn.name)}@${served}`,
        );
      }
    }, 120_000);

    it("refuses a recorded digest whose image is for another architecture than the function's, before cdk runs", async () => {
      const [first] = functions;
      if (first === undefined) throw new Error("no function in the workspace");
      const deployDir = stageDeployDir(workspaceRoot, stage);
      const record = readDigestRecords(deployDir)[first.name];
      if (record === undefined) throw new Error(`no digest recorded for ${first.name}`);
      const other = first.architecture === "x86_64" ? "linux/arm64" : "linux/amd64";
      const template = join(INFRA_DIR, "cdk.out", stage, "Functions.template.json");
      const synthesized = statSync(template).mtimeMs;
      writeDigestRecord(deployDir, { ...record, platform: other });
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        expect(await deployMain(["functions", "--target", "local", "--stage", stage])).toBe(1);
        const said = errors.mock.calls.map((call) => String(call[0])).join("\n");
        expect(said).toContain(
          `${join("functions", first.name)} is configured for ${first.architecture} ` +
            `(${architecturePlatform(first.architecture)}) but the image recorded for it in ` +
            `${join(deployDir, "digests", `${first.name}.json`)} (${registryHost}/${record.repository}@${record.digest}) ` +
            `is ${other}; publish it again`,
        );
        // Stopped before `cdk synth`: the template is the one the test above synthesized.
        expect(statSync(template).mtimeMs).toBe(synthesized);
      } finally {
        errors.mockRestore();
        writeDigestRecord(deployDir, record);
      }
    });

    it("fails, naming the function, when the registry no longer serves the recorded digest for the tag", async () => {
      const [first] = functions;
      if (first === undefined) throw new Error("no function in the workspace");
      const expected = pushed.get(first.name);
      if (expected === undefined) throw new Error(`nothing pushed for ${first.name}`);
      // The local registry's tags are mutable: overwrite the tag with another image.
      await putTestImage(registryHost, repositoryName(stage, first.name), expected.tag);
      // Checked against the template the previous test synthesized.
      const check = verifyTemplateDigests({
        templateFile: join(INFRA_DIR, "cdk.out", stage, "Functions.template.json"),
        functions,
        records: readDigestRecords(stageDeployDir(workspaceRoot, stage)),
        registry,
        stage,
      });
      await expect(check).rejects.toThrow(
        new RegExp(
          `${first.name}: the registry serves sha256:[a-f0-9]{64} for ${repositoryName(stage, first.name)}`,
        ),
      );
    }, 120_000);
  },
);

describe("failing fast without AWS configuration", () => {
  const withoutAws = isolatedAwsEnvironment();

  it("every deploy step on AWS names the missing credentials", async () => {
    withoutAws();
    process.env.AWS_REGION = "eu-west-1";
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const step of ["preflight", "registry", "functions"]) {
      errors.mockClear();
      expect(await deployMain([step, "--target", "aws"])).toBe(1);
      expect(errors.mock.calls.map((call) => String(call[0])).join("\n")).toMatch(
        /No AWS credentials were found/,
      );
    }
  });

  it("rejects an unknown target, saying where it came from", async () => {
    process.env.DEPLOY_TARGET = "moon";
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await deployMain(["preflight"])).toBe(1);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/DEPLOY_TARGET is "moon": use one of aws, local/);
  });
});
