/**
 * The container runner's own decisions: which image it runs, what the container gets from the engine's
 * environment, how `docker run` is called and how its exit reads as the runtime's. Running real images through
 * it (success, errors, timeouts, crashes, concurrency) is tools/docker's end-to-end suite, which builds them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../../test/support/fixture-function.js";
import { createFunctionHost } from "../host.js";
import { createContainerRunner } from "./container.js";
import {
  CONTAINER_LABEL,
  CONTAINER_OWNER_LABEL,
  containerEnvironment,
  dockerRunPlan,
  runtimeExitOf,
} from "./docker-run.js";

afterAll(() => removeFixtureFunctions());

describe("the container's environment", () => {
  it("keeps Lambda's variables, uses the image's folders and drops the host's PATH, HOME and NODE_*", () => {
    const fn = fixtureFunction("behaviours", { environment: { NODE_OPTIONS: "--enable-source-maps" } });
    const environment = containerEnvironment(
      {
        PATH: "/host/bin",
        HOME: "/root",
        TMPDIR: "/host/tmp",
        LD_LIBRARY_PATH: "/host/lib",
        NODE_EXTRA_CA_CERTS: "/host/ca.pem",
        NODE_OPTIONS: "--enable-source-maps",
        AWS_LAMBDA_RUNTIME_API: "127.0.0.1:4321",
        AWS_LAMBDA_FUNCTION_NAME: "behaviours",
        LAMBDA_TASK_ROOT: fn.distDir,
        LAMBDA_RUNTIME_DIR: "/host/node_modules/aws-lambda-ric",
        _HANDLER: "index.handler",
      },
      fn,
    );
    expect(environment).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:4321",
      AWS_LAMBDA_FUNCTION_NAME: "behaviours",
      LAMBDA_TASK_ROOT: "/var/task",
      LAMBDA_RUNTIME_DIR: "/var/runtime",
      _HANDLER: "index.handler",
    });
  });
});

describe("the container's source maps", () => {
  it("are on (NODE_OPTIONS=--enable-source-maps, as deployed) unless the function sets NODE_OPTIONS", () => {
    const plain = fixtureFunction("behaviours", { name: "mapped" });
    expect(containerEnvironment({ NODE_OPTIONS: "--inspect" }, plain).NODE_OPTIONS).toBe(
      "--enable-source-maps",
    );
    const own = fixtureFunction("behaviours", {
      name: "own",
      environment: { NODE_OPTIONS: "--no-warnings" },
    });
    expect(containerEnvironment({ NODE_OPTIONS: "--no-warnings" }, own).NODE_OPTIONS).toBe("--no-warnings");
  });
});

describe("docker run", () => {
  const fn = fixtureFunction("behaviours", { name: "planned", memorySize: 512 });
  const plan = dockerRunPlan({
    imageId: "sha256:abc",
    containerName: "lambda-local-planned-1",
    definition: fn,
    environment: { AWS_SECRET_ACCESS_KEY: "s3cr3t", AWS_LAMBDA_RUNTIME_API: "127.0.0.1:4321", DOCKER_X: "y" },
    dockerEnv: { PATH: "/usr/bin", DOCKER_HOST: "unix:///var/run/docker.sock" },
  });

  it("runs the image by id on the host network with the function's memory, removed when it stops", () => {
    expect(plan.args.slice(0, 2)).toEqual(["run", "--rm"]);
    expect(plan.args.join(" ")).toContain("--name lambda-local-planned-1 --network host --pull never");
    expect(plan.args.join(" ")).toContain("--memory 512m");
    expect(plan.args.join(" ")).toContain(`--label ${CONTAINER_LABEL}=planned`);
    expect(plan.args.join(" ")).toContain(`--label ${CONTAINER_OWNER_LABEL}=${process.pid}`);
    expect(plan.args.at(-1)).toBe("sha256:abc");
  });

  it("passes values through the client's environment, never on its command line", () => {
    expect(plan.args.join(" ")).not.toContain("s3cr3t");
    expect(plan.args.join(" ")).toContain("--env AWS_SECRET_ACCESS_KEY --env AWS_LAMBDA_RUNTIME_API");
    expect(plan.clientEnv.AWS_SECRET_ACCESS_KEY).toBe("s3cr3t");
    expect(plan.clientEnv.DOCKER_HOST).toBe("unix:///var/run/docker.sock");
    // A DOCKER_* variable of the function's must not steer the docker client.
    expect(plan.clientEnv.DOCKER_X).toBeUndefined();
    expect(plan.args).toContain("DOCKER_X=y");
  });

  it("reads the container's exit as the runtime's: 128 + n is signal n, 125 is docker's own failure", () => {
    expect(runtimeExitOf(0, null, undefined)).toEqual({ code: 0, signal: null });
    expect(runtimeExitOf(42, null, undefined)).toEqual({ code: 42, signal: null });
    // aws-lambda-ric's own statuses for uncaught exceptions and rejections stay statuses.
    expect(runtimeExitOf(129, null, undefined)).toEqual({ code: 129, signal: null });
    expect(runtimeExitOf(137, null, undefined)).toEqual({ code: null, signal: "SIGKILL" });
    expect(runtimeExitOf(null, "SIGKILL", undefined)).toEqual({ code: null, signal: "SIGKILL" });
    expect(runtimeExitOf(125, null, "docker: Error response from daemon: No such image")).toEqual({
      code: 125,
      signal: null,
      startError: "docker: Error response from daemon: No such image",
    });
  });
});

describe("without Docker", () => {
  it("the host cannot be created, and the message says what to install or use instead", () => {
    const runner = createContainerRunner({ dockerEnv: { PATH: "/nonexistent" } });
    expect(() => runner.checkAvailable()).toThrow(
      /needs Docker\. The docker CLI is not installed or not on PATH.*--runtime ric/,
    );
  });

  it("an engine that does not answer is named", () => {
    const runner = createContainerRunner({
      dockerEnv: { PATH: process.env.PATH, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    });
    let message = "";
    try {
      runner.checkAvailable();
    } catch (error) {
      message = (error as Error).message;
    }
    // Without a docker CLI at all the first message applies; with one, the engine at DOCKER_HOST is named.
    expect(message).toMatch(
      /needs Docker\. (The docker CLI is not installed or not on PATH|The Docker engine at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock does not answer \(docker version: .+\)).*--runtime ric/,
    );
  });

  it("a function without an image answers Runtime.InvalidEntrypoint saying to run pnpm image", async () => {
    const fn = fixtureFunction("behaviours", { name: "no-image" });
    // A docker that only answers `docker version`: the engine check passes, the image check must not.
    const bin = join(fn.dir, "fake-bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "docker"), '#!/bin/sh\n[ "$1" = version ] && echo 20.10.0\n', { mode: 0o755 });
    const runner = createContainerRunner({
      dockerEnv: { PATH: `${bin}:/usr/bin:/bin`, DOCKER_HOST: "fake" },
    });
    const host = createFunctionHost(fn, { runner, logSink: () => {} });
    try {
      const outcome = await host.invoke({ payload: Buffer.from("{}") });
      if (outcome.kind !== "response") throw new Error(`expected a response, got ${outcome.kind}`);
      expect(outcome.functionError).toBe("Unhandled");
      expect(outcome.errorType).toBe("Runtime.InvalidEntrypoint");
      expect(outcome.payload.toString()).toMatch(/no aws-base image yet.*run `pnpm image`/);
    } finally {
      await host.close();
    }
  });
});
