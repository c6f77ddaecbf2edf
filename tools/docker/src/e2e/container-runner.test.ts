/**
 * The engine's end-to-end cases (success, warm reuse, handler error, timeout, crash, out of memory, init error,
 * concurrency) through real containers: a fixture function built into a non-aws image (the strategy that runs as
 * an unprivileged user), run (1) by the local stack's container runner and (2) as its local image on -p PORT:8080.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerOk, inspectImage } from "@lambda-images/docker-cli";
import {
  type FunctionDefinition,
  findWorkspaceRoot,
  managedRuntimeNodeFlags,
  readImageRecord,
} from "@lambda-images/function-config";
import {
  CONTAINER_LABEL,
  createFunctionHost,
  type FunctionHost,
  type HostOptions,
  type InvokeOutcome,
  removeContainer,
} from "@lambda-images/local-stack";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../test/support/fixture-function.js";
import { localStackContainers } from "../../testing/containers.js";
import { announceSkip, dockerAvailability, IN_CI, imageBuilderForTests } from "../../testing/engine.js";
import { firstAnswer, freePort, postInvoke } from "../../testing/invoke-http.js";
import { buildLocalImage, type LocalBuild } from "../local/build-local.js";
import { imageEnvironment, type RunningContainer, startContainer } from "../run/container.js";

const BUILD_TIMEOUT_MS = 25 * 60_000;
const RUN_TIMEOUT_MS = 120_000;
const FIXTURE = "container-fixture";
const STRATEGY = "non-aws";
// The fixture's timeout: far more than any invoke needs on a loaded machine (a cold start's init has its own
// limit), so only the cases about timeouts time out. They run with TIMED_OUT_SECONDS and a sleep far past it.
const TIMEOUT_SECONDS = 30;
const TIMED_OUT_SECONDS = 10;
const MEMORY_MB = 256;

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) announceSkip(availability.reason);

describe.runIf(!availability.available && IN_CI)("the container runner in CI", () => {
  it("needs a Docker engine", () => {
    throw new Error(
      "CI=true but no Docker engine answers, so the container runner cannot be tested. Start one before the tests " +
        "(bash .ci/docker/start-engine.sh) and build the stand-ins (bash .ci/docker/stand-ins/build.sh).",
    );
  });
});

type Response = Extract<InvokeOutcome, { kind: "response" }>;

function json(outcome: Response): Record<string, unknown> {
  return JSON.parse(outcome.payload.toString("utf8")) as Record<string, unknown>;
}

/** This suite's running containers of the fixture. */
const runningContainers = (): Promise<string[]> => localStackContainers(FIXTURE);

describe.runIf(availability.available)("a fixture function's image", () => {
  const root = findWorkspaceRoot();
  let fn: FunctionDefinition;
  let images: LocalBuild;
  const hosts: FunctionHost[] = [];
  const containers: RunningContainer[] = [];

  beforeAll(async () => {
    fn = fixtureFunction(FIXTURE, { timeout: TIMEOUT_SECONDS, memorySize: MEMORY_MB });
    const builder = await imageBuilderForTests(root);
    images = await buildLocalImage(builder, fn, STRATEGY, root);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([...hosts.map((host) => host.close()), ...containers.map((c) => c.stop())]);
    removeFixtureFunctions();
  });

  function startHost(definition: FunctionDefinition = fn, options: Partial<HostOptions> = {}) {
    const lines: string[] = [];
    const host = createFunctionHost(definition, {
      runner: "container",
      logSink: (line) => lines.push(line),
      ...options,
    });
    hosts.push(host);
    return {
      host,
      lines,
      async invoke(event: unknown): Promise<Response> {
        const outcome = await host.invoke({ payload: Buffer.from(JSON.stringify(event)) });
        if (outcome.kind !== "response") throw new Error(`throttled: ${outcome.message}`);
        return outcome;
      },
    };
  }

  describe("through the local stack's container runner", () => {
    // Each case starts its own host; its containers go with it.
    afterEach(async () => {
      await Promise.all(hosts.splice(0).map((host) => host.close()));
    });

    it("removes a container that docker run created and has not started yet, which docker kill refuses", async () => {
      // The state a container is in when an instance is stopped in the first moments of its start.
      const name = `container-fixture-created-${process.pid}`;
      await dockerOk([
        "create",
        "--name",
        name,
        "--label",
        `${CONTAINER_LABEL}=${FIXTURE}`,
        images.production.imageId,
      ]);
      expect(await dockerOk(["inspect", "--format", "{{.State.Status}}", name])).toBe("created");
      expect(await removeContainer(name, process.env, () => true)).toBe(true);
      expect(await dockerOk(["ps", "--all", "--quiet", "--filter", `name=^${name}$`])).toBe("");
    });

    it("runs the image lambda-image recorded, reading the same record", () => {
      expect(readImageRecord(fn, STRATEGY)).toMatchObject({
        imageId: images.production.imageId,
        contentTag: images.production.contentTag,
      });
    });

    it(
      "runs it with Lambda's environment, as the image's own user, cold then warm",
      async () => {
        process.env.NODE_LOCAL_STACK_PROBE = "from the host";
        const fixture = startHost();
        delete process.env.NODE_LOCAL_STACK_PROBE;
        const cold = await fixture.invoke({ action: "echo" });
        const body = json(cold);
        const env = body.env as Record<string, string>;
        expect(body.context).toMatchObject({
          awsRequestId: cold.requestId,
          functionName: FIXTURE,
          memoryLimitInMB: String(MEMORY_MB),
          invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FIXTURE}`,
        });
        expect(body.uid).toBe(1000);
        expect(body.cwd).toBe("/var/task");
        expect(env).toMatchObject({
          _HANDLER: "index.handler",
          LAMBDA_TASK_ROOT: "/var/task",
          LAMBDA_RUNTIME_DIR: "/var/runtime",
          AWS_LAMBDA_FUNCTION_NAME: FIXTURE,
          TZ: "UTC",
        });
        expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
        // The image's own PATH and Node.js settings, not the host's.
        expect(env.NODE_LOCAL_STACK_PROBE).toBeUndefined();
        expect(env.HOME).toBe("/home/node");
        expect(cold.report.initDurationMs).toBeGreaterThan(0);
        expect(cold.report.maxMemoryUsedMb).toBeGreaterThan(10);
        expect(cold.report.maxMemoryUsedMb).toBeLessThan(MEMORY_MB);
        const id = cold.requestId;
        // The function's log line comes through the docker client, which may hand it over just after the REPORT
        // line on a busy machine (the README says so): wait for it, then check the platform lines' order.
        const own = () => fixture.lines.filter((line) => line.includes(id));
        await expect
          .poll(() => own().some((line) => /\tINFO\techo from the fixture$/.test(line)), { timeout: 60_000 })
          .toBe(true);
        const platform = own().filter((line) => !line.includes("\tINFO\t"));
        expect(platform).toEqual([
          `[${FIXTURE}] START RequestId: ${id} Version: $LATEST`,
          `[${FIXTURE}] END RequestId: ${id}`,
          `[${FIXTURE}] ${cold.report.reportLine}`,
        ]);

        const warm = await fixture.invoke({ action: "echo" });
        expect(json(warm).instance).toBe(body.instance);
        expect(json(warm).invocations).toBe(2);
        expect(warm.report.initDurationMs).toBeUndefined();
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "starts the image's Node.js 24 with the managed runtime's flags (heap sized from the memory size)",
      async () => {
        const body = json(await startHost().invoke({ action: "node" }));
        expect(body.version).toMatch(/^v24\./);
        expect(body.execArgv).toEqual(managedRuntimeNodeFlags(MEMORY_MB));
        expect(body.gc).toBe("function");
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "passes a handler error through as Unhandled and keeps the container",
      async () => {
        const fixture = startHost();
        const before = json(await fixture.invoke({ action: "echo" })).instance;
        const failed = await fixture.invoke({ action: "throw", message: "no such order" });
        expect(failed.functionError).toBe("Unhandled");
        expect(failed.errorType).toBe("TypeError");
        expect(json(failed)).toMatchObject({ errorType: "TypeError", errorMessage: "no such order" });
        expect(json(await fixture.invoke({ action: "echo" })).instance).toBe(before);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "times out after the function's timeout, kills the container, and starts a fresh one",
      async () => {
        const fixture = startHost({ ...fn, timeout: TIMED_OUT_SECONDS });
        const before = json(await fixture.invoke({ action: "echo" })).instance;
        const outcome = await fixture.invoke({ action: "sleep", ms: 10 * TIMED_OUT_SECONDS * 1000 });
        expect(outcome.errorType).toBe("Sandbox.Timedout");
        expect(json(outcome)).toEqual({
          errorType: "Sandbox.Timedout",
          errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out after ${TIMED_OUT_SECONDS}.00 seconds`,
        });
        expect(outcome.report.reportLine).toMatch(/\tStatus: timeout$/);
        expect(outcome.report.durationMs).toBeGreaterThanOrEqual(TIMED_OUT_SECONDS * 1000 - 50);
        // The engine removes the killed container; on a loaded machine that can take a while.
        await expect.poll(runningContainers, { timeout: 60_000 }).toEqual([]);
        const next = json(await fixture.invoke({ action: "echo" }));
        expect(next.instance).not.toBe(before);
        expect(next.invocations).toBe(1);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "answers a crash with Runtime.ExitError, and going past the memory size with signal: killed",
      async () => {
        const fixture = startHost();
        await fixture.invoke({ action: "echo" });
        const crash = await fixture.invoke({ action: "exit", code: 42 });
        expect(json(crash)).toEqual({
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${crash.requestId} Error: Runtime exited with error: exit status 42`,
        });
        expect(crash.report.reportLine).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
        const oom = await fixture.invoke({ action: "allocate", mb: MEMORY_MB * 2 });
        expect(json(oom)).toEqual({
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${oom.requestId} Error: Runtime exited with error: signal: killed`,
        });
        expect(json(await fixture.invoke({ action: "echo" })).invocations).toBe(1);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "answers an init error with the runtime's error, retrying the init on every invoke",
      async () => {
        const failing = startHost({ ...fn, environment: { ...fn.environment, FAIL_INIT: "1" } });
        for (const _attempt of [1, 2]) {
          const outcome = await failing.invoke({ action: "echo" });
          expect(outcome.functionError).toBe("Unhandled");
          expect(json(outcome)).toMatchObject({ errorType: "Error", errorMessage: "init failed on purpose" });
          expect(outcome.report.reportLine).toMatch(/\tStatus: error\tError Type: /);
        }
        expect(failing.lines.filter((line) => line.includes("INIT_REPORT"))).toHaveLength(2);
        expect(failing.lines.some((line) => line.includes("failing the init on purpose"))).toBe(true);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "serves concurrent invokes from at most maxInstances containers, queueing the rest",
      async () => {
        const fixture = startHost(fn, { maxInstances: 2 });
        const outcomes = await Promise.all(
          [300, 301, 302, 303, 304, 305].map((ms) => fixture.invoke({ action: "sleep", ms })),
        );
        const bodies = outcomes.map(json);
        expect(bodies.map((body) => body.slept)).toEqual([300, 301, 302, 303, 304, 305]);
        expect(new Set(bodies.map((body) => body.instance)).size).toBe(2);
        expect(outcomes.filter((outcome) => outcome.report.initDurationMs !== undefined)).toHaveLength(2);
        expect(await runningContainers()).toHaveLength(2);
        await fixture.host.close();
        expect(await runningContainers()).toEqual([]);
      },
      RUN_TIMEOUT_MS,
    );
  });

  describe("as its local image on -p PORT:8080", () => {
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      const environment = {
        ...imageEnvironment(fn),
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(TIMED_OUT_SECONDS),
      };
      containers.push(await startContainer({ image: images.local.imageId, environment, publishPort: port }));
      const { answer } = await firstAnswer(port, JSON.stringify({ action: "echo" }), performance.now());
      expect(answer.status).toBe(200);
    }, RUN_TIMEOUT_MS);

    it("runs the emulator and the runtime as the image's user", async () => {
      const answer = await postInvoke(port, JSON.stringify({ action: "echo" }));
      const body = JSON.parse(answer.body.toString()) as { uid: number; context: { functionName: string } };
      expect(body.uid).toBe(1000);
      expect(body.context.functionName).toBe(FIXTURE);
    });

    it("flags a handler error with X-Amz-Function-Error: Unhandled", async () => {
      const answer = await postInvoke(port, JSON.stringify({ action: "throw", message: "bad input" }));
      expect(answer.status).toBe(200);
      expect(answer.functionError).toBe("Unhandled");
      expect(JSON.parse(answer.body.toString())).toMatchObject({
        errorType: "TypeError",
        errorMessage: "bad input",
      });
    });

    it(
      "answers a timeout with Sandbox.Timedout, and the next invoke with a fresh runtime",
      async () => {
        const answer = await postInvoke(
          port,
          JSON.stringify({ action: "sleep", ms: 10 * TIMED_OUT_SECONDS * 1000 }),
        );
        expect(answer.functionError).toBe("Unhandled");
        expect(JSON.parse(answer.body.toString())).toEqual({
          errorType: "Sandbox.Timedout",
          errorMessage: `RequestId: ${answer.requestId} Error: Task timed out after ${TIMED_OUT_SECONDS}.00 seconds`,
        });
        const next = JSON.parse((await postInvoke(port, JSON.stringify({ action: "echo" }))).body.toString());
        expect(next.invocations).toBe(1);
      },
      RUN_TIMEOUT_MS,
    );

    it("queues concurrent invokes on its one runtime", async () => {
      const answers = await Promise.all(
        [200, 201, 202].map((ms) => postInvoke(port, JSON.stringify({ action: "sleep", ms }))),
      );
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      const bodies = answers.map((answer) => JSON.parse(answer.body.toString()) as { slept: number });
      expect(bodies.map((body) => body.slept)).toEqual([200, 201, 202]);
    });
  });
});

/**
 * The first bytes of an ELF executable for a processor no engine here runs (IA-64), with no binfmt handler for it:
 * the kernel refuses to execute it, as it refuses an arm64 image's binaries on an x86_64 machine without emulation.
 */
function foreignExecutable(): Buffer {
  const header = Buffer.alloc(64);
  header.write("\x7fELF", 0, "latin1");
  header.writeUInt8(2, 4); // 64-bit
  header.writeUInt8(1, 5); // little-endian
  header.writeUInt8(1, 6); // ELF version 1
  header.writeUInt16LE(2, 16); // an executable
  header.writeUInt16LE(50, 18); // e_machine: IA-64
  header.writeUInt32LE(1, 20);
  header.writeUInt16LE(64, 52); // header size
  return header;
}

describe.runIf(availability.available)("an image whose entry point this engine cannot execute", () => {
  const reference = `lambda-images-foreign-entry-${process.pid}:latest`;
  const folders: string[] = [];
  const hosts: FunctionHost[] = [];

  beforeAll(async () => {
    const context = mkdtempSync(join(tmpdir(), "foreign-entry-"));
    folders.push(context);
    writeFileSync(join(context, "entry"), foreignExecutable(), { mode: 0o755 });
    writeFileSync(join(context, "Dockerfile"), 'FROM scratch\nCOPY entry /entry\nENTRYPOINT ["/entry"]\n');
    await dockerOk(["build", "--quiet", "--tag", reference, context]);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(hosts.map((host) => host.close()));
    await dockerOk(["image", "rm", "--force", reference]);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    removeFixtureFunctions();
  });

  it("fails the invoke with what `docker run` said, why, and what to install", async () => {
    const lines: string[] = [];
    const host = createFunctionHost(fixtureFunction(FIXTURE), {
      runner: "container",
      image: reference,
      logSink: (line) => lines.push(line),
    });
    hosts.push(host);
    const outcome = await host.invoke({ payload: Buffer.from("{}") });
    if (outcome.kind !== "response") throw new Error(`throttled: ${outcome.message}`);
    expect(outcome.functionError).toBe("Unhandled");
    expect(outcome.errorType).toBe("Runtime.ExitError");
    const platform = (await inspectImage(reference))?.platform;
    expect(lines).toContain(
      `[${FIXTURE}] The runtime could not be started: The image is ${platform}, but a binary it starts is for another ` +
        "processor: the engine could not start the image's entry point (exec /entry: exec format error). Rebuild " +
        `the image for ${platform}, or install emulation for that processor (Debian/Ubuntu: apt-get install ` +
        "qemu-user-static binfmt-support).",
    );
  });
});
