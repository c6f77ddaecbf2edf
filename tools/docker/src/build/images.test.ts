/**
 * Builds a fixture function (test/fixtures/greeter: a function as the generator lays one out, with a ready-made
 * bundle) in all three strategies with the real Docker engine and runs each image: the production target answers
 * its event through a Runtime API on 127.0.0.1, as in Lambda; the `-p PORT:8080` flow is exercised where the image
 * carries an emulator (AWS's real bases do; the CI stand-ins and our production non-aws image do not, and their
 * entry points must say so). The example functions' images are tools/function-images-tests' suite.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { docker, dockerOk, inspectImage } from "@lambda-images/docker-cli";
import {
  type FunctionDefinition,
  type FunctionImageRecord,
  findWorkspaceRoot,
  imageRecordFile,
  readImageRecord,
  STRATEGIES,
  type Strategy,
} from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../test/support/fixture-function.js";
import { announceSkip, dockerAvailability, IN_CI, imageBuilderForTests } from "../../testing/engine.js";
import { firstAnswer, freePort } from "../../testing/invoke-http.js";
import { imageEnvironment, type RunningContainer, startContainer } from "../run/container.js";
import type { ImageBuilder } from "./builder.js";

const BUILD_TIMEOUT_MS = 25 * 60_000;
const RUN_TIMEOUT_MS = 120_000;
const FIXTURE = "greeter";

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) announceSkip(availability.reason);

describe.runIf(!availability.available && IN_CI)("Docker images in CI", () => {
  it("needs a Docker engine", () => {
    throw new Error(
      `CI=true but no Docker engine answers, so the fixture's images cannot be built or run. Start one before the ` +
        `tests (bash .ci/docker/start-engine.sh) and build the stand-ins (bash .ci/docker/stand-ins/build.sh).\n` +
        (availability.available ? "" : availability.reason),
    );
  });
});

interface GreeterReply {
  readonly statusCode: number;
  readonly body: string;
}

function parseReply(body: string): { statusCode: number; message: unknown } {
  const reply = JSON.parse(body) as GreeterReply;
  return { statusCode: reply.statusCode, message: (JSON.parse(reply.body) as { message?: unknown }).message };
}

async function waitForExit(container: RunningContainer, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = await container.exitCode();
    if (code !== undefined) return code;
    if (Date.now() > deadline) throw new Error(`container ${container.id} still runs after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function hasEmulator(image: string): Promise<boolean> {
  const probe = await docker([
    "run",
    "--rm",
    "--entrypoint",
    "/bin/sh",
    image,
    "-c",
    "test -x /usr/local/bin/aws-lambda-rie",
  ]);
  return probe.code === 0;
}

describe.runIf(availability.available)("a function's images, built and run with the Docker engine", () => {
  const root = findWorkspaceRoot();
  let fn: FunctionDefinition;
  let builder: ImageBuilder;
  const records = new Map<Strategy, FunctionImageRecord>();
  const containers: RunningContainer[] = [];
  const event = () => readFileSync(join(fn.dir, "events", "hello.json"), "utf8");
  const record = (strategy: Strategy): FunctionImageRecord => {
    const built = records.get(strategy);
    if (!built) throw new Error(`${FIXTURE}:${strategy} was not built (see the build test's failure)`);
    return built;
  };

  beforeAll(async () => {
    fn = fixtureFunction(FIXTURE);
    builder = await imageBuilderForTests(root);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(containers.map((c) => c.stop()));
    removeFixtureFunctions();
  });

  it.each(STRATEGIES)(
    "builds greeter:%s for linux/amd64 and records it in .image/",
    async (strategy) => {
      const built = await builder.buildFunctionImage(fn, strategy);
      records.set(strategy, built);
      expect(built.image).toBe(`${FIXTURE}:${strategy}`);
      expect(built.platform).toBe("linux/amd64");
      const local = await inspectImage(built.image);
      expect(local?.id).toBe(built.imageId);
      expect(local?.labels["org.lambda-images.content-hash"]).toBe(built.contentHash);
      expect(readImageRecord(fn, strategy)).toEqual({
        ...built,
        recordFile: imageRecordFile(fn, strategy),
      });
      expect(readImageRecord(fn, strategy)).toMatchObject({
        function: FIXTURE,
        strategy,
        image: `${FIXTURE}:${strategy}`,
        imageId: built.imageId,
        contentTag: built.contentTag,
        handler: "index.handler",
      });
      console.log(
        `[lambda-image] ${FIXTURE}:${strategy}: ${(built.sizeBytes / 1e6).toFixed(1)} MB, ` +
          (built.reused ? "reused" : `built in ${built.buildSeconds.toFixed(1)} s`),
      );
    },
    BUILD_TIMEOUT_MS,
  );

  it.each(STRATEGIES)(
    "greeter:%s answers its event through the Runtime API, cold then warm",
    async (strategy) => {
      // The local stack's container runner: the real Runtime API, the image on the host network.
      const logs: string[] = [];
      const host = createFunctionHost(fn, {
        runner: "container",
        image: record(strategy).imageId,
        maxInstances: 1,
        logSink: (line) => logs.push(line),
      });
      try {
        const cold = await host.invoke({ payload: Buffer.from(event()) });
        expect(cold.kind, logs.join("\n")).toBe("response");
        if (cold.kind !== "response") return;
        expect(cold.report.initDurationMs).toBeGreaterThan(0);
        expect(parseReply(cold.payload.toString())).toEqual({ statusCode: 200, message: "Hello, Chris!" });
        const warm = await host.invoke({ payload: Buffer.from(event()) });
        expect(warm.kind === "response" && warm.report.initDurationMs).toBeUndefined();
        expect(warm.kind === "response" && parseReply(warm.payload.toString())).toEqual({
          statusCode: 200,
          message: "Hello, Chris!",
        });
        // The function's own structured log line, written inside the container.
        expect(logs.join("\n")).toMatch(/"message":"Greeted"/);
      } finally {
        await host.close();
      }
    },
    RUN_TIMEOUT_MS,
  );

  it.each(STRATEGIES)(
    "greeter:%s on -p PORT:8080: answers through the image's emulator, or its entry point says there is none",
    async (strategy) => {
      const image = record(strategy).imageId;
      if (await hasEmulator(image)) {
        const port = await freePort();
        const container = await startContainer({
          image,
          environment: imageEnvironment(fn),
          publishPort: port,
        });
        containers.push(container);
        const { answer } = await firstAnswer(port, event(), performance.now());
        expect(answer.status).toBe(200);
        expect(parseReply(answer.body.toString())).toEqual({
          statusCode: 200,
          message: "Hello, Chris!",
        });
        return;
      }
      console.warn(
        `[lambda-image] ${FIXTURE}:${strategy} carries no Runtime Interface Emulator (production target` +
          `${record(strategy).bases.BASE_IMAGE?.via === "override" ? " on a stand-in base" : ""}): ` +
          "the -p 9000:8080 flow needs a local target; checking that the entry point explains it.",
      );
      const container = await startContainer({ image, environment: imageEnvironment(fn) });
      containers.push(container);
      expect(await waitForExit(container, 30_000)).toBe(142);
      expect(await container.logs()).toMatch(/AWS_LAMBDA_RUNTIME_API/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "reports each Dockerfile step of a build as it starts, then the end (the CLI's progress line)",
    async () => {
      const events: string[] = [];
      // "cached": a real docker build that reuses the layers the tests above built, so it is quick.
      const rebuilder = await imageBuilderForTests(root, {
        force: "cached",
        log: () => {},
        progress: {
          start: (label) => events.push(`start ${label}`),
          step: (step) => events.push(step),
          end: () => events.push("end"),
        },
      });
      await rebuilder.buildFunctionImage(fn, "aws-base");
      const keywords = readFileSync(join(fn.dir, "Dockerfile.aws-base"), "utf8")
        .split("\n")
        .map((line) => /^([A-Z]+)\s/.exec(line)?.[1])
        .filter((keyword) => keyword !== undefined);
      expect(events[0]).toBe(`start ${FIXTURE}:aws-base`);
      expect(events.at(-1)).toBe("end");
      // Every step once, in order: the Dockerfile's instructions, then the labels the builder adds.
      const steps = events.slice(1, -1).map((step) => /^step (\d+)\/(\d+) (\w+)/.exec(step));
      const total = Number(steps[0]?.[2]);
      expect(steps.map((step) => Number(step?.[1]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(steps.slice(0, keywords.length).map((step) => step?.[3])).toEqual(keywords);
    },
    BUILD_TIMEOUT_MS,
  );

  it("greeter:non-aws runs as the unprivileged user node", async () => {
    const user = await dockerOk([
      "image",
      "inspect",
      "--format",
      "{{.Config.User}}",
      record("non-aws").imageId,
    ]);
    expect(user).toBe("node");
    const id = await dockerOk(["run", "--rm", "--entrypoint", "id", record("non-aws").imageId, "-u"]);
    expect(id).toBe("1000");
  });

  it.each(STRATEGIES)("greeter:%s carries no compilers or build tools", async (strategy) => {
    const probe = await docker([
      "run",
      "--rm",
      "--entrypoint",
      "/bin/sh",
      record(strategy).imageId,
      "-c",
      "for tool in cmake g++ gcc make python3; do command -v $tool; done; true",
    ]);
    expect(probe.stdout.trim()).toBe("");
  });

  it("does not rebuild an unchanged function: same content tag, same image", async () => {
    const again = await builder.buildFunctionImage(fn, "os-only");
    expect(again.reused).toBe(true);
    expect(again.imageId).toBe(record("os-only").imageId);
    expect(again.contentTag).toBe(record("os-only").contentTag);
  });
});
