import { lambdaTestEnv } from "@lambda-images/vitest-config/lambda-env";
import { describe, expect, it } from "vitest";
import { throwawayFunction } from "../test/throwaway-function.js";
import {
  IMAGE_TASK_ROOT,
  lambdaEnvironment,
  logGroupName,
  newLogStreamName,
  resolveRegion,
} from "./environment.js";
import { RESERVED_ENV } from "./schema.js";

describe("lambdaEnvironment", () => {
  const fn = throwawayFunction("greeter", {
    memorySize: 512,
    environment: { GREETING: "Hi", TZ: "Europe/Paris" },
  });

  it("sets what Lambda sets for the function, with its own variables, on this machine or in an image", () => {
    const local = lambdaEnvironment(fn, { region: "eu-west-1", logStreamName: "2026/12/02/[$LATEST]abc" });
    expect(local).toEqual({
      LANG: "en_US.UTF-8",
      TZ: "Europe/Paris",
      GREETING: "Hi",
      _HANDLER: "index.handler",
      AWS_REGION: "eu-west-1",
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_LAMBDA_FUNCTION_NAME: "greeter",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/greeter",
      AWS_LAMBDA_LOG_STREAM_NAME: "2026/12/02/[$LATEST]abc",
      LAMBDA_TASK_ROOT: fn.distDir,
    });
    expect(lambdaEnvironment(fn, { taskRoot: IMAGE_TASK_ROOT }).LAMBDA_TASK_ROOT).toBe("/var/task");
  });

  it("takes the region from the host (AWS_REGION, then AWS_DEFAULT_REGION), else us-east-1", () => {
    expect(resolveRegion(undefined, { AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "ap-south-1" })).toBe(
      "eu-central-1",
    );
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: "ap-south-1" })).toBe("ap-south-1");
    expect(resolveRegion(undefined, {})).toBe("us-east-1");
    expect(resolveRegion("sa-east-1", { AWS_REGION: "eu-central-1" })).toBe("sa-east-1");
  });

  it("names log groups and streams as Lambda does", () => {
    expect(logGroupName("greeter")).toBe("/aws/lambda/greeter");
    expect(newLogStreamName(new Date("2026-11-30T23:59:59Z"))).toMatch(
      /^2026\/11\/30\/\[\$LATEST\][0-9a-f]{32}$/,
    );
    expect(newLogStreamName()).not.toBe(newLogStreamName());
  });

  it("sets only reserved names besides the function's own and the unreserved defaults", () => {
    const names = Object.keys(lambdaEnvironment(throwawayFunction("greeter", {})));
    expect(names.filter((name) => !RESERVED_ENV.has(name)).sort()).toEqual(["LANG", "TZ"]);
  });

  it("is what the shared test setup gives every test too (tools/vitest-config), name for name", () => {
    // The test setup has no function to build from, so it writes its defaults out; this keeps the two in step.
    const perFunction = Object.keys(lambdaEnvironment(throwawayFunction("greeter", {}))).filter(
      (name) => name !== "_HANDLER" && name !== "LAMBDA_TASK_ROOT" && name !== "LANG",
    );
    for (const name of perFunction) expect(lambdaTestEnv, name).toHaveProperty(name);
  });
});
