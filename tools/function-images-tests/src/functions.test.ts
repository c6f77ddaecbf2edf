/**
 * Every function in the workspace, in every strategy, run from its container image in both local ways:
 *  (a) the local-only image `<fn>:<strategy>-local` on `docker run -p PORT:8080`, POSTing to the emulator inside;
 *  (b) the production image `<fn>:<strategy>` through the local stack's container runner (its Runtime API on the
 *      host, `docker run --network host`).
 * Each answers every event in the function's events/ exactly as the same bundle does on the host under the real
 * aws-lambda-ric (the local stack's ric runner), and hello answers the write-up's event with "Hello, Chris!".
 * Every image holds ELF files for the function's architecture only (a prebuilt native addon for another machine
 * runs nowhere in Lambda). Then `lambda-local invoke` and `lambda-local dev` with `--runtime container`, as a user
 * types them.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { buildFunction } from "@lambda-images/build";
import {
  buildLocalImage,
  functionDockerfile,
  type ImageBuilder,
  imageEnvironment,
  type LocalBuild,
  type RunningContainer,
  startContainer,
} from "@lambda-images/docker";
import {
  announceSkip,
  dockerAvailability,
  firstAnswer,
  freePort,
  IN_CI,
  imageBuilderForTests,
  localStackContainers,
  postInvoke,
  scanImageBinaries,
} from "@lambda-images/docker/testing";
import { docker } from "@lambda-images/docker-cli";
import {
  discoverFunctions,
  type FunctionDefinition,
  findWorkspaceRoot,
  runtimeInfo,
  STRATEGIES,
  type Strategy,
} from "@lambda-images/function-config";
import { createFunctionHost, EMULATOR_BUNDLE } from "@lambda-images/local-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Comparable,
  comparable,
  comparableOutcome,
  functionEvents,
  strategyDoesNotApply,
} from "./support.js";

const BUILD_TIMEOUT_MS = 25 * 60_000;
const RUN_TIMEOUT_MS = 3 * 60_000;
const WARM_INVOKES = 20;
const WRITE_UP_EVENT = "write-up-hello.json";

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) announceSkip(availability.reason);

describe.runIf(!availability.available && IN_CI)("function images end to end in CI", () => {
  it("needs a Docker engine", () => {
    throw new Error(
      "CI=true but no Docker engine answers, so the functions' images cannot be built or run. Start one before " +
        "the tests (bash .ci/docker/start-engine.sh) and build the stand-ins (bash .ci/docker/stand-ins/build.sh).\n" +
        (availability.available ? "" : availability.reason),
    );
  });
});

const root = findWorkspaceRoot();
// The suite compares answers, not timeouts (those are the container-runner suite's cases): every function runs with
// Lambda's longest timeout, so a cold container start on a busy machine cannot turn an answer into a timeout.
const functions = discoverFunctions(root).map((fn) => ({ ...fn, timeout: 900 }));
const cases: [string, Strategy][] = functions.flatMap((fn) =>
  STRATEGIES.filter((strategy) => !strategyDoesNotApply(fn, strategy)).map((strategy): [string, Strategy] => [
    fn.name,
    strategy,
  ]),
);

interface Timing {
  readonly image: string;
  coldPublishedMs?: number;
  coldRunnerMs?: number;
  warmPublishedMs?: number;
  warmRunnerMs?: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function helloMessage(body: Buffer): unknown {
  const reply = JSON.parse(body.toString("utf8")) as { statusCode: number; body: string };
  return { statusCode: reply.statusCode, message: (JSON.parse(reply.body) as { message?: unknown }).message };
}

describe.runIf(availability.available)("every function in every strategy, from its image", () => {
  let builder: ImageBuilder;
  const builds = new Map<string, LocalBuild>();
  const expected = new Map<string, Promise<Map<string, Comparable>>>();
  const timings: Timing[] = [];
  const containers: RunningContainer[] = [];

  beforeAll(async () => {
    // Turbo builds every function first (they are this package's devDependencies); on its own, build what is missing.
    for (const fn of functions) if (!existsSync(fn.bundle)) await buildFunction(fn);
    if (!existsSync(EMULATOR_BUNDLE)) {
      throw new Error(`${EMULATOR_BUNDLE} is missing: pnpm --filter @lambda-images/local-stack build`);
    }
    builder = await imageBuilderForTests(root);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(containers.map((container) => container.stop()));
    const format = (ms: number | undefined) => (ms === undefined ? "-" : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
    const rows = timings.map(
      (t) =>
        `| ${t.image.padEnd(28)} | ${format(t.coldPublishedMs).padStart(8)} | ${format(t.coldRunnerMs).padStart(8)} ` +
        `| ${format(t.warmPublishedMs).padStart(8)} | ${format(t.warmRunnerMs).padStart(8)} |`,
    );
    console.log(
      [
        "Container timings (cold: docker run to the first answer; warm: median of " +
          `${WARM_INVOKES} invokes):`,
        "| image                        | cold -p  | cold run | warm -p  | warm run |",
        ...rows,
      ].join("\n"),
    );
  });

  /** The answers of the function's bundle on the host, under the real aws-lambda-ric: what every image must give. */
  function expectedAnswers(fn: FunctionDefinition): Promise<Map<string, Comparable>> {
    let answers = expected.get(fn.name);
    if (answers === undefined) {
      answers = (async () => {
        const host = createFunctionHost(fn, { runner: "ric", maxInstances: 1, logSink: () => {} });
        try {
          const byEvent = new Map<string, Comparable>();
          for (const [name, payload] of functionEvents(fn)) {
            byEvent.set(name, comparableOutcome(await host.invoke({ payload })));
          }
          return byEvent;
        } finally {
          await host.close();
        }
      })();
      expected.set(fn.name, answers);
    }
    return answers;
  }

  function timingOf(image: string): Timing {
    let timing = timings.find((t) => t.image === image);
    if (timing === undefined) {
      timing = { image };
      timings.push(timing);
    }
    return timing;
  }

  describe.each(cases)("%s:%s", (name, strategy) => {
    const fn = functions.find((candidate) => candidate.name === name) as FunctionDefinition;
    const events = functionEvents(fn);
    const build = (): LocalBuild => {
      const built = builds.get(`${name}:${strategy}`);
      if (built === undefined)
        throw new Error(`${name}:${strategy} was not built (see the build test's failure)`);
      return built;
    };

    it(
      "builds the production image, then the local image on it",
      async () => {
        expect(
          existsSync(functionDockerfile(fn, strategy)),
          `functions/${name} has no Dockerfile.${strategy} and its README does not say ${strategy} does not apply`,
        ).toBe(true);
        const built = await buildLocalImage(builder, fn, strategy, root);
        builds.set(`${name}:${strategy}`, built);
        expect(built.production.image).toBe(`${name}:${strategy}`);
        expect(built.local.image).toBe(`${name}:${strategy}-local`);
        expect(built.local.productionImage).toBe(built.production.contentTag);
        // The emulator is in the local image only.
        const probe =
          "test -x /usr/local/bin/aws-lambda-rie && test -r /opt/lambda-local/emulator.mjs && echo yes";
        const inLocal = await docker([
          "run",
          "--rm",
          "--entrypoint",
          "/bin/sh",
          built.local.imageId,
          "-c",
          probe,
        ]);
        const inProduction = await docker([
          "run",
          "--rm",
          "--entrypoint",
          "/bin/sh",
          built.production.imageId,
          "-c",
          "test -e /opt/lambda-local && echo yes || echo no",
        ]);
        expect(inLocal.stdout.trim()).toBe("yes");
        expect(inProduction.stdout.trim()).toBe("no");
      },
      BUILD_TIMEOUT_MS,
    );

    it(
      "runs the Node.js of the function's runtime",
      async () => {
        const { stdout } = await docker([
          "run",
          "--rm",
          "--entrypoint",
          "/bin/sh",
          build().production.imageId,
          "-c",
          "node --version",
        ]);
        console.log(`[lambda-image] ${name}:${strategy} runs node ${stdout.trim()} (${fn.runtime})`);
        expect(stdout.trim()).toMatch(new RegExp(`^v${runtimeInfo(fn.runtime).nodeMajor}\\.`));
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "holds programs and libraries for the function's architecture only, native addons and the emulator included",
      async () => {
        // The local image is the production image plus the emulator's layer, so its scan covers both.
        const scan = await scanImageBinaries(build().local.imageId, fn.architecture);
        console.log(
          `[lambda-image] ${name}:${strategy}-local holds ELF files ${JSON.stringify(scan.counts)}`,
        );
        expect(scan.foreign, `binaries in ${name}:${strategy}-local that are not ${fn.architecture}`).toEqual(
          [],
        );
        expect(
          scan.counts[fn.architecture] ?? 0,
          "no ELF file at all: the scan did not look",
        ).toBeGreaterThan(0);
      },
      RUN_TIMEOUT_MS,
    );

    it.runIf(name === "hello")(
      "answers the write-up's flow: docker run -p PORT:8080 with nothing else, then POST its event",
      async () => {
        const port = await freePort();
        const container = await startContainer({
          image: build().local.image,
          environment: {},
          publishPort: port,
        });
        containers.push(container);
        const event = readFileSync(join(fn.dir, "events", WRITE_UP_EVENT));
        const { answer } = await firstAnswer(port, event, performance.now());
        expect(answer.status, await container.logs()).toBe(200);
        expect(helloMessage(answer.body)).toEqual({ statusCode: 200, message: "Hello, Chris!" });
        await container.stop();
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "(a) on -p PORT:8080, the local image answers every event as the bundle does on the host",
      async () => {
        expect(events.length, `functions/${name}/events/ has no events`).toBeGreaterThan(0);
        const answers = await expectedAnswers(fn);
        const port = await freePort();
        const startedAt = performance.now();
        const container = await startContainer({
          image: build().local.imageId,
          environment: imageEnvironment(fn),
          publishPort: port,
        });
        containers.push(container);
        const [[firstName, firstPayload], ...rest] = events as [[string, Buffer], ...[string, Buffer][]];
        const first = await firstAnswer(port, firstPayload, startedAt);
        timingOf(`${name}:${strategy}`).coldPublishedMs = first.ms;
        const got = new Map<string, Comparable>([
          [firstName, comparable(first.answer.body, first.answer.functionError)],
        ]);
        for (const [eventName, payload] of rest) {
          const answer = await postInvoke(port, payload);
          expect(answer.status, eventName).toBe(200);
          got.set(eventName, comparable(answer.body, answer.functionError));
        }
        expect(Object.fromEntries(got), await container.logs()).toEqual(Object.fromEntries(answers));
        if (name === "hello") {
          const answer = await postInvoke(port, readFileSync(join(fn.dir, "events", WRITE_UP_EVENT)));
          expect(helloMessage(answer.body)).toEqual({ statusCode: 200, message: "Hello, Chris!" });
        }
        const warm: number[] = [];
        for (let i = 0; i < WARM_INVOKES; i++) {
          const started = performance.now();
          await postInvoke(port, firstPayload);
          warm.push(performance.now() - started);
        }
        timingOf(`${name}:${strategy}`).warmPublishedMs = median(warm);
        // The emulator writes Lambda's log lines, as the image's stdout.
        expect(await container.logs()).toMatch(/^REPORT RequestId: [0-9a-f-]+\tDuration: /m);
        await container.stop();
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "(b) through the local stack's container runner, the production image answers every event the same",
      async () => {
        const answers = await expectedAnswers(fn);
        const lines: string[] = [];
        const host = createFunctionHost(fn, {
          runner: "container",
          strategy,
          maxInstances: 1,
          logSink: (line) => lines.push(line),
        });
        try {
          const got = new Map<string, Comparable>();
          let first = true;
          for (const [eventName, payload] of events) {
            const started = performance.now();
            const outcome = await host.invoke({ payload });
            if (first) {
              timingOf(`${name}:${strategy}`).coldRunnerMs = performance.now() - started;
              expect(outcome.kind === "response" && outcome.report.initDurationMs).toBeGreaterThan(0);
              first = false;
            }
            got.set(eventName, comparableOutcome(outcome));
          }
          expect(Object.fromEntries(got), lines.join("\n")).toEqual(Object.fromEntries(answers));
          const [, firstPayload] = events[0] as [string, Buffer];
          const warm: number[] = [];
          for (let i = 0; i < WARM_INVOKES; i++) {
            const started = performance.now();
            const outcome = await host.invoke({ payload: firstPayload });
            warm.push(performance.now() - started);
            if (i === 0 && outcome.kind === "response") {
              expect(outcome.report.initDurationMs).toBeUndefined();
              expect(outcome.report.maxMemoryUsedMb).toBeGreaterThan(10);
              expect(outcome.report.maxMemoryUsedMb).toBeLessThanOrEqual(fn.memorySize);
            }
          }
          timingOf(`${name}:${strategy}`).warmRunnerMs = median(warm);
          expect(lines.some((line) => line.startsWith(`[${name}] REPORT RequestId: `))).toBe(true);
        } finally {
          await host.close();
        }
        expect(await localStackContainers(name), "the host's containers are gone once it is closed").toEqual(
          [],
        );
      },
      RUN_TIMEOUT_MS,
    );
  });

  describe("lambda-local with --runtime container", () => {
    const run = promisify(execFile);
    const bin = join(dirname(dirname(EMULATOR_BUNDLE)), "bin", "lambda-local.js");
    const hello = functions.find((fn) => fn.name === "hello");

    it.runIf(hello !== undefined)(
      "invoke runs the function's image and prints its answer",
      async () => {
        const { stdout, stderr } = await run(
          process.execPath,
          [
            bin,
            "invoke",
            "hello",
            "--runtime",
            "container",
            "--strategy",
            "non-aws",
            "--event",
            `events/${WRITE_UP_EVENT}`,
          ],
          { cwd: root, env: { ...process.env, INIT_CWD: root } },
        );
        expect(helloMessage(Buffer.from(stdout))).toEqual({ statusCode: 200, message: "Hello, Chris!" });
        expect(stderr).toMatch(/\[hello\] REPORT RequestId: .*Init Duration: /);
      },
      RUN_TIMEOUT_MS,
    );

    it(
      "dev serves every function from its deployed strategy's image, and stops the containers on Ctrl+C",
      async () => {
        const [invokePort, httpPort, urlPort] = [await freePort(), await freePort(), await freePort()];
        const child = spawn(
          process.execPath,
          [
            bin,
            "dev",
            "--runtime",
            "container",
            "--no-watch",
            "--port",
            String(invokePort),
            "--http-port",
            String(httpPort),
            "--url-port",
            String(urlPort),
          ],
          { cwd: root, env: { ...process.env, INIT_CWD: root }, stdio: ["ignore", "pipe", "pipe"] },
        );
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.stderr.on("data", (chunk: Buffer) => {
          output += chunk.toString();
        });
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        try {
          await expect.poll(() => output, { timeout: 120_000 }).toMatch(/Press Ctrl\+C to stop/);
          expect(output).toContain("runtime container");
          for (const fn of functions) {
            const [, payload] = functionEvents(fn)[0] as [string, Buffer];
            const response = await fetch(
              `http://127.0.0.1:${invokePort}/2015-03-31/functions/${fn.name}/invocations`,
              { method: "POST", body: payload },
            );
            const expectedFirst = (await expectedAnswers(fn)).get(functionEvents(fn)[0]?.[0] ?? "");
            const body = Buffer.from(await response.arrayBuffer());
            expect(
              comparable(body, response.headers.get("x-amz-function-error") ?? undefined),
              output,
            ).toEqual(expectedFirst);
          }
          if (hello !== undefined) {
            const response = await fetch(`http://127.0.0.1:${httpPort}/hello?name=Chris`);
            expect(await response.json()).toEqual({ message: "Hello, Chris!" });
          }
          for (const fn of functions) {
            expect(
              await localStackContainers(fn.name, child.pid),
              `${fn.name} runs in a container`,
            ).toHaveLength(1);
          }
        } finally {
          child.kill("SIGINT");
        }
        expect(await exited).toBe(0);
        for (const fn of functions)
          expect(await localStackContainers(fn.name, child.pid), output).toEqual([]);
      },
      RUN_TIMEOUT_MS,
    );
  });
});
