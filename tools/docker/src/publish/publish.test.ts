/**
 * Publishing against the real local registry (and, for the ECR path, the real @aws-sdk/client-ecr talking to an
 * ECR stand-in whose registry is that same local registry): real `docker login`, `docker push`, digests read back.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient } from "@aws-sdk/client-ecr";
import { docker, dockerOk, inspectImage } from "@lambda-images/docker-cli";
import { type FunctionDefinition, loadFunction, readImageRecord } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedAwsEnvironment } from "../../testing/aws-environment.js";
import { EcrStandIn } from "../../testing/ecr-stand-in.js";
import {
  announceSkip,
  dockerAvailability,
  IN_CI,
  importTestImage,
  overridesForTests,
} from "../../testing/engine.js";
import {
  localRegistryForTests,
  TEST_REGISTRY_HOST as registryHost,
  uniqueSuffix,
} from "../../testing/registry.js";
import { runCli } from "../run-cli.js";
import { publishFunction } from "./publish.js";
import { contentTag, readDigestRecords, repositoryName, stageDeployDir } from "./records.js";
import { EcrRegistry, LocalRegistry } from "./registries.js";

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) announceSkip(availability.reason);
const dockerTests = availability.available || IN_CI;
const registryTests = await localRegistryForTests(registryHost);

/** A throwaway workspace: pnpm-workspace.yaml and functions/<name>/package.json with a "lambda" block. */
function tempWorkspace(): {
  root: string;
  addFunction(name: string, lambda: object, version?: string): string;
} {
  const root = mkdtempSync(join(tmpdir(), "lambda-image-publish-"));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  return {
    root,
    addFunction(name, lambda, version = "1.0.0") {
      const dir = join(root, "functions", name);
      mkdirSync(dir, { recursive: true });
      const pkg = { name: `@test/${name}`, version, private: true, type: "module", lambda };
      writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
      return dir;
    },
  };
}

/** Captures what the CLI prints. */
function captureIo(cwd: string, env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { cwd, env, out: (text: string) => out.push(text), err: (text: string) => err.push(text) },
    out,
    err,
  };
}

describe("lambda-image publish, before anything is built", () => {
  const withoutAws = isolatedAwsEnvironment();

  it("names the missing region and builds nothing", async () => {
    withoutAws();
    const workspace = tempWorkspace();
    try {
      // No Dockerfile and no bundle: had it gone on to build, it would fail differently.
      const dir = workspace.addFunction("unbuilt", { routes: ["GET /unbuilt"] });
      const { io, out, err } = captureIo(dir, process.env);
      expect(await runCli(["publish", "--target", "aws"], io)).toBe(1);
      expect(err.join("\n")).toMatch(/No AWS region is set\. Set AWS_REGION.*nothing was built or pushed/);
      expect(out.join("\n")).not.toMatch(/lambda-image publish: unbuilt/);
    } finally {
      rmSync(workspace.root, { recursive: true, force: true });
    }
  });

  it("names the missing local registry", async () => {
    const workspace = tempWorkspace();
    try {
      const dir = workspace.addFunction("unbuilt", { routes: ["GET /unbuilt"] });
      const { io, err } = captureIo(dir, { ...process.env, LOCAL_REGISTRY: "127.0.0.1:9" });
      expect(await runCli(["publish", "--target", "local"], io)).toBe(1);
      expect(err.join("\n")).toMatch(
        /No registry answers at http:\/\/127\.0\.0\.1:9\/v2\/.*start-local-registry/,
      );
    } finally {
      rmSync(workspace.root, { recursive: true, force: true });
    }
  });

  it("rejects an unknown target or stage, saying where it came from", async () => {
    const { io, err } = captureIo(process.cwd(), { ...process.env, DEPLOY_TARGET: "moon" });
    expect(await runCli(["publish"], io)).toBe(1);
    expect(err.join("\n")).toMatch(/DEPLOY_TARGET is "moon": use one of aws, local/);
    const bad = captureIo(process.cwd(), { ...process.env, STAGE: "Prod" });
    expect(await runCli(["publish", "--target", "local"], bad.io)).toBe(1);
    expect(bad.err.join("\n")).toMatch(/STAGE is "Prod": it must start with a lower-case letter/);
  });
});

// Pushing real images through a busy engine takes a while: a budget, not a race (no assertion is about time).
describe.runIf(dockerTests && registryTests.run)(
  `publishing with Docker (${registryTests.reason})`,
  { timeout: 300_000 },
  () => {
    let dockerConfig: string;
    const savedDockerConfig = process.env.DOCKER_CONFIG;
    const cleanups: (() => Promise<unknown> | unknown)[] = [];

    beforeAll(() => {
      // docker login (the ECR path) writes credentials: keep them out of the user's Docker config.
      dockerConfig = mkdtempSync(join(tmpdir(), "lambda-image-docker-config-"));
      process.env.DOCKER_CONFIG = dockerConfig;
    });
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = savedDockerConfig;
      rmSync(dockerConfig, { recursive: true, force: true });
    });

    /** A function in a temp workspace and a freshly imported image (random content) to publish for it. */
    async function functionWithImage(name: string, lambda: object = {}) {
      const workspace = tempWorkspace();
      cleanups.push(() => rmSync(workspace.root, { recursive: true, force: true }));
      const fn: FunctionDefinition = loadFunction(
        workspace.addFunction(name, { strategy: "non-aws", routes: [`GET /${name}`], ...lambda }, "2.3.4"),
      );
      const reference = `lambda-image-test-${uniqueSuffix()}/${name}:non-aws`;
      await importTestImage(reference);
      cleanups.push(() => docker(["image", "rm", "--force", reference]));
      const local = await inspectImage(reference);
      return {
        fn,
        reference,
        image: { reference, contentHash: local?.id ?? "", platform: local?.platform ?? "" },
        deployDir: join(workspace.root, "deploy"),
      };
    }

    it("pushes to the local registry once, records the digest the registry serves, and skips an unchanged image", async () => {
      const { fn, image, deployDir } = await functionWithImage("pushme");
      const stage = `t${uniqueSuffix()}`;
      const registry = new LocalRegistry(registryHost);
      await registry.check();

      const first = await publishFunction({ fn, stage, registry, deployDir, image });
      const tag = contentTag("2.3.4", image.contentHash);
      expect(first.pushed).toBe(true);
      expect(first.record.tags).toEqual([tag]);
      expect(first.record.repository).toBe(repositoryName(stage, "pushme"));
      expect(first.record.platform).toBe("linux/amd64");
      expect(first.record.digest).toBe(await registry.findDigest(repositoryName(stage, "pushme"), tag));
      expect(readDigestRecords(deployDir).pushme).toEqual(first.record);

      const again = await publishFunction({ fn, stage, registry, deployDir, image });
      expect(again.pushed).toBe(false);
      expect(again.record.digest).toBe(first.record.digest);
    });

    /** The tags the local registry holds in `repository` (none when nothing was ever pushed to it). */
    async function registryTags(repository: string): Promise<string[]> {
      const response = await fetch(`http://${registryHost}/v2/${repository}/tags/list`);
      if (response.status === 404) return [];
      return ((await response.json()) as { tags?: string[] | null }).tags ?? [];
    }

    it("refuses an arm64 function whose recorded image is linux/amd64, before the registry is asked", async () => {
      const { fn, image, deployDir } = await functionWithImage("armrecord", { architecture: "arm64" });
      expect(image.platform).toBe("linux/amd64");
      const stage = `t${uniqueSuffix()}`;
      const registry = new LocalRegistry(registryHost);
      await expect(publishFunction({ fn, stage, registry, deployDir, image })).rejects.toThrow(
        `${join("functions", "armrecord")} is configured for arm64 (linux/arm64) but its recorded image ` +
          `${image.reference} is linux/amd64; rebuild with \`lambda-image build\``,
      );
      expect(await registryTags(repositoryName(stage, "armrecord"))).toEqual([]);
      expect(readDigestRecords(deployDir)).toEqual({});
    });

    it("inspects the image itself before pushing: a record that says linux/arm64 does not make it so", async () => {
      const { fn, image, deployDir } = await functionWithImage("armclaim", { architecture: "arm64" });
      const stage = `t${uniqueSuffix()}`;
      const registry = new LocalRegistry(registryHost);
      const claimed = { ...image, platform: "linux/arm64" };
      await expect(publishFunction({ fn, stage, registry, deployDir, image: claimed })).rejects.toThrow(
        `${join("functions", "armclaim")} is configured for arm64 (linux/arm64) but the local image ` +
          `${image.reference} is linux/amd64;`,
      );
      expect(await registryTags(repositoryName(stage, "armclaim"))).toEqual([]);
      expect(readDigestRecords(deployDir)).toEqual({});
    });

    it("takes a new tag and digest when the image content changes", async () => {
      const { fn, reference, image, deployDir } = await functionWithImage("changes");
      const stage = `t${uniqueSuffix()}`;
      const registry = new LocalRegistry(registryHost);
      const first = await publishFunction({ fn, stage, registry, deployDir, image });
      cleanups.push(() => docker(["image", "rm", "--force", image.contentHash]));
      await importTestImage(reference);
      const changed = { ...image, contentHash: (await inspectImage(reference))?.id ?? "" };
      const second = await publishFunction({ fn, stage, registry, deployDir, image: changed });
      expect(second.pushed).toBe(true);
      expect(second.record.tags).not.toEqual(first.record.tags);
      expect(second.record.digest).not.toBe(first.record.digest);
      expect(readDigestRecords(deployDir).changes?.digest).toBe(second.record.digest);
    });

    it("pushes through the ECR path: registry login with the token, then push, then DescribeImages", async () => {
      const { fn, image, deployDir } = await functionWithImage("viaecr");
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

      const result = await publishFunction({ fn, stage, registry, deployDir, image });
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
    });

    /** A workspace with one aws-base function (a one-line bundle), and the environment the CLI runs in. */
    async function cliFunction(name: string) {
      const workspace = tempWorkspace();
      cleanups.push(() => rmSync(workspace.root, { recursive: true, force: true }));
      const lambda = { strategy: "aws-base", routes: [`GET /${name}`] };
      const dir = workspace.addFunction(name, lambda, "1.2.3");
      mkdirSync(join(dir, "dist"));
      writeFileSync(join(dir, "dist", "index.mjs"), `export const handler = async () => "${name}";\n`);
      // Built on the CI stand-in of AWS's Node.js base (or the real one): one COPY, quick either way.
      const dockerfile = [
        "ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24",
        "FROM $BASE_IMAGE",
        "COPY dist/ /var/task/",
        'CMD ["index.handler"]',
      ];
      writeFileSync(join(dir, "Dockerfile.aws-base"), `${dockerfile.join("\n")}\n`);
      // As in every function: only the bundle is sent (the build records in .image/ must not change the hash).
      writeFileSync(join(dir, ".dockerignore"), "*\n!dist/\n");
      const overrides = [...(await overridesForTests(process.cwd()))].map(([a, b]) => `${a}=${b}`).join(",");
      const stage = `t${uniqueSuffix()}`;
      const env: NodeJS.ProcessEnv = { ...process.env, IMAGE_BASE_OVERRIDES: overrides, STAGE: stage };
      delete env.IMAGE_PLATFORM;
      cleanups.push(() => docker(["image", "rm", "--force", `${name}:aws-base`]));
      return {
        workspace,
        dir,
        env,
        stage,
        /** Rewrites the function's "lambda" block with `changes` on top. */
        configure(changes: object) {
          workspace.addFunction(name, { ...lambda, ...changes }, "1.2.3");
        },
      };
    }

    it("`lambda-image publish` builds the deployed strategy's image, pushes it, records it; a rerun pushes nothing", async () => {
      const name = `p${uniqueSuffix()}`;
      const { workspace, dir, env, stage } = await cliFunction(name);

      const first = captureIo(dir, env);
      expect(await runCli(["publish", "--target", "local"], first.io), first.err.join("\n")).toBe(0);
      const built = readImageRecord(loadFunction(dir), "aws-base");
      cleanups.push(() => docker(["image", "rm", "--force", built.contentTag]));
      const record = readDigestRecords(stageDeployDir(workspace.root, stage))[name];
      const tag = contentTag("1.2.3", built.contentHash);
      expect(record?.tags).toEqual([tag]);
      expect(record?.target).toBe("local");
      expect(record?.digest).toBe(
        await new LocalRegistry(registryHost).findDigest(repositoryName(stage, name), tag),
      );
      expect(first.out.at(-1)).toMatch(/local\/t[0-9a-f]+ \(.*\): 1 pushed, 0 unchanged, 0 failed/);
      // Only the strategy the function deploys was built.
      expect(await dockerOk(["image", "ls", "--format", "{{.Tag}}", name])).not.toMatch(/os-only|non-aws/);

      const again = captureIo(dir, env);
      expect(await runCli(["publish", "--target", "local"], again.io)).toBe(0);
      expect(again.out.join("\n")).toMatch(/already in the registry; not pushed/);
      expect(again.out.at(-1)).toMatch(/0 pushed, 1 unchanged, 0 failed/);
      expect(readDigestRecords(stageDeployDir(workspace.root, stage))[name]?.digest).toBe(record?.digest);
    });

    it("`lambda-image publish` refuses an image built for x86_64 once the config says arm64, and pushes nothing", async () => {
      const name = `a${uniqueSuffix()}`;
      const { workspace, dir, env, stage, configure } = await cliFunction(name);
      const build = captureIo(dir, env);
      expect(await runCli(["build", "--strategy", "aws-base"], build.io), build.err.join("\n")).toBe(0);
      const built = readImageRecord(loadFunction(dir), "aws-base");
      cleanups.push(() => docker(["image", "rm", "--force", built.contentTag]));
      expect(built.platform).toBe("linux/amd64");

      configure({ architecture: "arm64" });
      // IMAGE_PLATFORM (a local-only build) finds the same image again, and publishing refuses it.
      const forced = captureIo(dir, { ...env, IMAGE_PLATFORM: "linux/amd64" });
      expect(await runCli(["publish", "--target", "local"], forced.io)).toBe(1);
      expect(forced.err.join("\n")).toContain(
        `lambda-image publish: ${name}: ${join("functions", name)} is configured for arm64 (linux/arm64) but its ` +
          `recorded image ${built.contentTag} is linux/amd64; rebuild with \`lambda-image build\``,
      );
      expect(forced.out.at(-1)).toMatch(/0 pushed, 0 unchanged, 1 failed/);
      // Without it, the build is for linux/arm64, and the base this engine has is of another architecture.
      const native = captureIo(dir, env);
      expect(await runCli(["publish", "--target", "local"], native.io)).toBe(1);
      expect(native.err.join("\n")).toMatch(
        /is a \w+ image but this build is for linux\/arm64: one architecture per build/,
      );
      const tags = await fetch(`http://${registryHost}/v2/${repositoryName(stage, name)}/tags/list`);
      expect(tags.status).toBe(404);
      expect(readDigestRecords(stageDeployDir(workspace.root, stage))).toEqual({});
    });
  },
);
