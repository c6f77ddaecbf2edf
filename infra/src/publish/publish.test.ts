import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { discoverFunctions, type FunctionDefinition } from "@lambda-images/function-config";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../build-app.js";
import { readDigestRecords } from "../digests.js";
import { contentTag, lambdaFunctionName, repositoryName } from "../naming.js";
import { dockerTestsRun, importTestImage } from "../testing/docker-fixture.js";
import { EcrStandIn } from "../testing/ecr-stand-in.js";
import { localRegistryForTests, uniqueSuffix } from "../testing/registry-fixture.js";
import { createTempWorkspace } from "../testing/workspace.js";
import { docker, localImageId, requireDockerEngine } from "./docker.js";
import { findLocalImage, imageRecordFile } from "./local-image.js";
import { publishFunction } from "./publish.js";
import { DEFAULT_LOCAL_REGISTRY, EcrRegistry, LocalRegistry } from "./registries.js";

const registryHost = process.env.LOCAL_REGISTRY || DEFAULT_LOCAL_REGISTRY;
const dockerTests = await dockerTestsRun();
const registryTests = await localRegistryForTests(registryHost);

/** A temp workspace with one function whose image record names a freshly imported image. */
async function workspaceWithBuiltImage(name: string) {
  const workspace = createTempWorkspace();
  workspace.addFunction(name, { strategy: "non-aws", routes: [`GET /${name}`] }, "2.3.4");
  const [fn] = discoverFunctions(workspace.root) as [FunctionDefinition];
  const reference = `infra-test-${uniqueSuffix()}/${name}:non-aws`;
  await importTestImage(reference);
  mkdirSync(join(fn.dir, ".image"), { recursive: true });
  writeFileSync(imageRecordFile(fn), JSON.stringify({ image: reference, strategy: "non-aws" }));
  return { workspace, fn, reference };
}

describe("findLocalImage", () => {
  it("says how to build the image when the function has no image record", async () => {
    const workspace = createTempWorkspace();
    try {
      workspace.addFunction("unbuilt", {});
      const [fn] = discoverFunctions(workspace.root) as [FunctionDefinition];
      await expect(findLocalImage(fn)).rejects.toThrow(
        /Function "unbuilt" has no built aws-base image .*pnpm turbo run image --filter @test\/unbuilt/,
      );
    } finally {
      workspace.remove();
    }
  });
});

// Pushing real images through a busy engine takes a while: a budget, not a race (no assertion is about time).
describe.runIf(dockerTests.run && registryTests.run)(
  `publishing with Docker (${dockerTests.reason}; ${registryTests.reason})`,
  { timeout: 180_000 },
  () => {
    let dockerConfig: string;
    const savedDockerConfig = process.env.DOCKER_CONFIG;
    const cleanups: (() => Promise<void> | void)[] = [];

    beforeAll(async () => {
      await requireDockerEngine();
      // docker login (the ECR path) writes credentials: keep them out of the user's Docker config.
      dockerConfig = mkdtempSync(join(tmpdir(), "infra-docker-config-"));
      process.env.DOCKER_CONFIG = dockerConfig;
    });
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = savedDockerConfig;
      rmSync(dockerConfig, { recursive: true, force: true });
    });

    it("pushes to the local registry once, records the digest the registry serves, and skips an unchanged image", async () => {
      const { workspace, fn, reference } = await workspaceWithBuiltImage("pushme");
      cleanups.push(() => workspace.remove());
      cleanups.push(() => docker(["image", "rm", reference]).then(() => undefined));
      const stage = `t${uniqueSuffix()}`;
      const deployDir = join(workspace.root, "deploy");
      const registry = new LocalRegistry(registryHost);
      await registry.check();

      const first = await publishFunction({ fn, stage, registry, deployDir });
      const imageId = await localImageId(reference);
      const tag = contentTag("2.3.4", imageId ?? "");
      expect(first.pushed).toBe(true);
      expect(first.record.tags).toEqual([tag]);
      expect(first.record.repository).toBe(repositoryName(stage, "pushme"));
      expect(first.record.digest).toBe(await registry.findDigest(repositoryName(stage, "pushme"), tag));
      expect(readDigestRecords(deployDir).pushme).toEqual(first.record);

      const again = await publishFunction({ fn, stage, registry, deployDir });
      expect(again.pushed).toBe(false);
      expect(again.record.digest).toBe(first.record.digest);

      // The CDK app deploys exactly the digest the registry holds for the pushed tag.
      const built = buildApp({ workspaceRoot: workspace.root, env: {}, deployDir, context: { stage } });
      if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
      const lambdas = Template.fromStack(built.functionsStack).findResources("AWS::Lambda::Function", {
        Properties: { FunctionName: lambdaFunctionName(stage, "pushme") },
      });
      const imageUri = JSON.stringify(Object.values(lambdas)[0]);
      expect(imageUri).toContain(`/${repositoryName(stage, "pushme")}@${first.record.digest}`);
    });

    it("takes a new tag and digest when the image content changes", async () => {
      const { workspace, fn, reference } = await workspaceWithBuiltImage("changes");
      cleanups.push(() => workspace.remove());
      cleanups.push(() => docker(["image", "rm", "--force", reference]).then(() => undefined));
      const stage = `t${uniqueSuffix()}`;
      const deployDir = join(workspace.root, "deploy");
      const registry = new LocalRegistry(registryHost);
      const first = await publishFunction({ fn, stage, registry, deployDir });
      const firstImageId = await localImageId(reference);
      cleanups.push(() => docker(["image", "rm", "--force", firstImageId ?? ""]).then(() => undefined));
      await importTestImage(reference);
      const second = await publishFunction({ fn, stage, registry, deployDir });
      expect(second.pushed).toBe(true);
      expect(second.record.tags).not.toEqual(first.record.tags);
      expect(second.record.digest).not.toBe(first.record.digest);
      expect(readDigestRecords(deployDir).changes?.digest).toBe(second.record.digest);
    });

    it("pushes through the ECR path: registry login with the token, then push, then DescribeImages", async () => {
      const { workspace, fn, reference } = await workspaceWithBuiltImage("viaecr");
      cleanups.push(() => workspace.remove());
      cleanups.push(() => docker(["image", "rm", reference]).then(() => undefined));
      const stage = `t${uniqueSuffix()}`;
      const standIn = new EcrStandIn(registryHost, new Set([repositoryName(stage, "viaecr")]));
      const endpoint = await standIn.start();
      cleanups.push(() => standIn.stop());
      const client = new ECRClient({
        region: "eu-west-1",
        endpoint,
        credentials: { accessKeyId: "AKIDSTANDIN", secretAccessKey: "stand-in-secret" },
      });
      cleanups.push(() => client.destroy());
      const registry = await EcrRegistry.connect(client);
      const deployDir = join(workspace.root, "deploy");

      const result = await publishFunction({ fn, stage, registry, deployDir });
      // Look for the tag, log in, push, read the tag's digest back.
      expect(standIn.calls.map((c) => c.operation)).toEqual([
        "GetAuthorizationToken",
        "DescribeImages",
        "DescribeImages",
      ]);
      expect(result.pushed).toBe(true);
      expect(result.record.target).toBe("aws");
      expect(result.record.digest).toBe(
        await registry.findDigest(result.record.repository, result.record.tags[0] ?? ""),
      );
      // docker login stored the token's credentials for the registry host, in the test's own Docker config.
      const config = JSON.parse(readFileSync(join(dockerConfig, "config.json"), "utf8")) as {
        auths: Record<string, { auth: string }>;
      };
      expect(Buffer.from(config.auths[registryHost]?.auth ?? "", "base64").toString()).toBe(
        `AWS:${standIn.password}`,
      );
      expect(existsSync(result.recordFile)).toBe(true);
    });
  },
);
