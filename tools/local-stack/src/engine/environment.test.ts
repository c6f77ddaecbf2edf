import { loadFunction } from "@lambda-images/function-config";
import { afterAll, describe, expect, test } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../test/support/fixture-function.js";
import { instanceEnvironment } from "./environment.js";
import { functionArn, newTraceId } from "./identity.js";

afterAll(removeFixtureFunctions);

describe("instanceEnvironment", () => {
  const definition = loadFunction(fixtureFunction("behaviours", { environment: { STAGE: "dev" } }).dir);
  const inputs = {
    definition,
    region: "ap-south-1",
    runtimeApi: "127.0.0.1:4321",
    runtimeDir: "/opt/runtime",
    logStreamName: "2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef",
  };

  test("passes credentials, PATH, HOME and NODE_* from the host, and nothing else", () => {
    const environment = instanceEnvironment({
      ...inputs,
      hostEnv: {
        PATH: "/usr/bin",
        HOME: "/home/dev",
        NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
        AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_SESSION_TOKEN: "",
        AWS_PROFILE: "prod",
        SHELL: "/bin/bash",
        _HANDLER: "host.value",
      },
    });
    expect(environment).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/dev",
      NODE_EXTRA_CA_CERTS: "/etc/ca.pem",
      LANG: "en_US.UTF-8",
      TZ: "UTC",
      STAGE: "dev",
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      _HANDLER: "index.handler",
      AWS_REGION: "ap-south-1",
      AWS_DEFAULT_REGION: "ap-south-1",
      AWS_LAMBDA_FUNCTION_NAME: "behaviours",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/behaviours",
      AWS_LAMBDA_LOG_STREAM_NAME: inputs.logStreamName,
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:4321",
      LAMBDA_TASK_ROOT: definition.distDir,
      LAMBDA_RUNTIME_DIR: "/opt/runtime",
    });
  });
});

describe("identity", () => {
  test("the ARN names the region, the local account and the function", () => {
    expect(functionArn("eu-central-1", "hello")).toBe(
      "arn:aws:lambda:eu-central-1:123456789012:function:hello",
    );
  });

  // The region and the log stream come from tools/function-config, and are tested there.
  test("trace ids have Lambda's shape", () => {
    const now = new Date("2026-11-30T23:59:59Z");
    expect(newTraceId(now)).toMatch(/^Root=1-6b0e0dff-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  test("trace ids do not repeat, also past the end of a pool of random bytes", () => {
    // 20 random bytes an id: 1,000 ids draw about five pools of 4,096 bytes.
    const ids = Array.from({ length: 1000 }, () => newTraceId());
    const randomParts = ids.flatMap(
      (id) => /-([0-9a-f]{24});Parent=([0-9a-f]{16});/.exec(id)?.slice(1) ?? [],
    );
    expect(randomParts).toHaveLength(2000);
    expect(new Set(randomParts).size).toBe(2000);
  });
});
