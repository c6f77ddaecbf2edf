/**
 * The copy outside the workspace, as a team gets it: hello exported to the system's temporary folder, then there,
 * with nothing of the workspace on PATH or in the environment, `npm install` from the registry, `npm run build`
 * (the same bundle as lambda-build's), `npm test`, `npm run typecheck`, the project's Dockerfile lint on the
 * exported Dockerfiles, and, where a Docker engine answers, `npm run image:aws-base` and one invoke of the image
 * through a Runtime API on 127.0.0.1. With CI=true the Docker part is required.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { buildFunction } from "@lambda-images/build";
import {
  baseImageUsers,
  formatFinding,
  lintTarget,
  overrideBuildArgs,
  parseDockerfile,
} from "@lambda-images/docker";
import { dockerAvailability, IN_CI, overridesForTests } from "@lambda-images/docker/testing";
import { removeImages } from "@lambda-images/docker-cli";
import {
  type FunctionDefinition,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
  STRATEGIES,
} from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFunction } from "./export.js";

/** Hang guards, not speed limits: an install from the registry on a loaded 2-core machine takes minutes. */
const INSTALL_TIMEOUT_MS = 20 * 60_000;
const STEP_TIMEOUT_MS = 5 * 60_000;
const IMAGE_TIMEOUT_MS = 25 * 60_000;

const root = findWorkspaceRoot();
const temp = mkdtempSync(join(tmpdir(), "lambda-export-standalone-"));
const name = `exported-hello-${process.pid}`;
const target = join(temp, name);

/**
 * The environment of a shell outside the workspace: no pnpm or npm settings of the workspace's run, and no PATH
 * entry inside the workspace (its node_modules/.bin has node, tsc, vitest and esbuild of its own).
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|TURBO_|VITEST|NODE_OPTIONS$)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => entry !== "" && !entry.startsWith(root))
    .join(delimiter);
  env.CI = process.env.CI ?? "";
  return env;
}

interface Ran {
  readonly code: number;
  readonly output: string;
}

function npm(args: readonly string[], timeout: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      "npm",
      [...args],
      { cwd: target, env: outsideEnv(), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

async function npmOk(args: readonly string[], timeout = STEP_TIMEOUT_MS): Promise<string> {
  const ran = await npm(args, timeout);
  if (ran.code !== 0)
    throw new Error(`npm ${args.join(" ")} in ${target} exited ${ran.code}:\n${ran.output}`);
  return ran.output;
}

afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("hello, exported outside the workspace", () => {
  let hello: FunctionDefinition;
  let exported: FunctionDefinition;

  beforeAll(async () => {
    hello = findFunction("hello", root);
    await exportFunction(hello, { root, target });
    exported = loadFunction(target);
  }, STEP_TIMEOUT_MS);

  it(
    "installs with plain npm from the registry",
    async () => {
      await npmOk(["install", "--no-audit", "--no-fund", "--no-update-notifier"], INSTALL_TIMEOUT_MS);
    },
    INSTALL_TIMEOUT_MS,
  );

  it(
    "npm run build writes the same bundle as lambda-build",
    async () => {
      await npmOk(["run", "build"]);
      await buildFunction(hello, { importCheck: false });
      const expected = readFileSync(hello.bundle);
      const built = readFileSync(join(target, "dist", "index.mjs"));
      console.log(
        `[lambda-export] ${name}: dist/index.mjs ${built.length} B, lambda-build's ${expected.length} B`,
      );
      expect(built.length).toBe(expected.length);
      expect(built.equals(expected)).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "npm test runs the function's tests, npm run typecheck passes",
    async () => {
      const tests = await npmOk(["test"]);
      expect(tests).toMatch(/Tests\s+.*\d+ passed/);
      expect(tests).not.toMatch(/\d+ failed/);
      expect(tests).toMatch(/src\/index\.test\.ts/);
      await npmOk(["run", "typecheck"]);
    },
    STEP_TIMEOUT_MS,
  );

  it("its Dockerfiles pass the project's Dockerfile lint", () => {
    const users = baseImageUsers(root);
    for (const strategy of STRATEGIES) {
      const findings = lintTarget(
        { dockerfile: join(target, `Dockerfile.${strategy}`), context: target, strategy, fn: exported },
        { root: target, baseImageUsers: users },
      );
      expect(
        findings.map((finding) => formatFinding(finding, target)),
        strategy,
      ).toEqual([]);
    }
  });
});

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) {
  console.warn(
    `[lambda-export] the exported image build is skipped: it needs a Docker engine (${availability.reason})`,
  );
}

describe.runIf(!availability.available && IN_CI)("the exported image in CI", () => {
  it("needs a Docker engine", () => {
    throw new Error(
      "CI=true but no Docker engine answers, so the exported hello's image cannot be built. Start one before the " +
        `tests (bash .ci/docker/start-engine.sh) and build the stand-ins (bash .ci/docker/stand-ins/build.sh).\n` +
        (availability.available ? "" : availability.reason),
    );
  });
});

describe.runIf(availability.available)("the exported hello's aws-base image", () => {
  const image = `${name}:aws-base`;
  afterAll(async () => {
    await removeImages([image]);
  });

  it(
    "npm run image:aws-base builds it (base overrides passed as build arguments), and it answers the write-up's event",
    async () => {
      const overrides = overrideBuildArgs(
        parseDockerfile(join(target, "Dockerfile.aws-base")),
        await overridesForTests(root),
      );
      const buildArgs = Object.entries(overrides).flatMap(([arg, value]) => [
        "--build-arg",
        `${arg}=${value}`,
      ]);
      await npmOk(["run", "image:aws-base", "--", ...buildArgs], IMAGE_TIMEOUT_MS);

      // This case is about the answer, not the timeout: Lambda's longest, so a slow start on a busy machine cannot
      // turn the answer into Sandbox.Timedout.
      const exported = { ...loadFunction(target), timeout: 900 };
      // The local stack's container runner: the real Runtime API, the image on the host network.
      const logs: string[] = [];
      const host = createFunctionHost(exported, {
        runner: "container",
        image,
        maxInstances: 1,
        logSink: (line) => logs.push(line),
      });
      try {
        const event = readFileSync(join(target, "events", "write-up-hello.json"));
        const answer = await host.invoke({ payload: event });
        expect(answer.kind, logs.join("\n")).toBe("response");
        const payload = answer.kind === "response" ? answer.payload.toString() : "{}";
        const reply = JSON.parse(payload) as { statusCode: number; body: string };
        // On a failure, what the function answered and what it logged say where the answer came from.
        expect(reply.statusCode, `${payload}\n${logs.join("\n")}`).toBe(200);
        expect(JSON.parse(reply.body)).toEqual({ message: "Hello, Chris!" });
      } finally {
        await host.close();
      }
    },
    IMAGE_TIMEOUT_MS,
  );
});
