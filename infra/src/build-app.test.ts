import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repositoryName, writeDigestRecord } from "@lambda-images/docker/records";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as iam from "aws-cdk-lib/aws-iam";
import { afterEach, describe, expect, it } from "vitest";
import {
  copyWorkspaceFunctions,
  createTempWorkspace,
  type TempWorkspace,
} from "../test/support/workspace.js";
import { buildApp } from "./build-app.js";
import { PLACEHOLDER_DIGEST } from "./digests.js";
import { applyNagChecks } from "./nag.js";
import { lambdaFunctionName } from "./naming.js";

const workspaceRoot = findWorkspaceRoot();
const realFunctions = discoverFunctions(workspaceRoot);
const noEnv = {};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "infra-deploy-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function track(workspace: TempWorkspace): TempWorkspace {
  cleanups.push(() => workspace.remove());
  return workspace;
}

function randomDigest(): string {
  return `sha256:${randomBytes(32).toString("hex")}`;
}

/** The text of a CloudFormation value with intrinsic functions flattened, e.g. an ImageUri's Fn::Join. */
function flatten(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(flatten).join("");
  if (value !== null && typeof value === "object") {
    const [key, inner] = Object.entries(value)[0] ?? [];
    if (key === "Fn::Join" && Array.isArray(inner)) {
      return (inner[1] as unknown[]).map(flatten).join(String(inner[0]));
    }
    if (key === "Ref") return `\${${String(inner)}}`;
    return `\${${JSON.stringify(value)}}`;
  }
  return String(value);
}

function lambdaOf(template: Template, functionName: string): Record<string, unknown> {
  const found = template.findResources("AWS::Lambda::Function", {
    Properties: { FunctionName: functionName },
  });
  const resources = Object.values(found);
  expect(resources, `one Lambda function named ${functionName}`).toHaveLength(1);
  return (resources[0] as { Properties: Record<string, unknown> }).Properties;
}

/** The logical ID of the Lambda function named `functionName`. */
function logicalIdOf(template: Template, functionName: string): string {
  const ids = Object.keys(
    template.findResources("AWS::Lambda::Function", { Properties: { FunctionName: functionName } }),
  );
  expect(ids, `one Lambda function named ${functionName}`).toHaveLength(1);
  return ids[0] as string;
}

/** The event invoke config (retries, maximum event age) deployed for the function named `functionName`. */
function eventInvokeConfigOf(template: Template, functionName: string): Record<string, unknown> {
  const found = Object.values(
    template.findResources("AWS::Lambda::EventInvokeConfig", {
      Properties: { FunctionName: { Ref: logicalIdOf(template, functionName) } },
    }),
  );
  expect(found, `one event invoke config for ${functionName}`).toHaveLength(1);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

describe("the app, built from every function in this workspace", () => {
  it("has a workspace with functions to deploy", () => {
    expect(realFunctions.length).toBeGreaterThan(0);
  });

  const built = buildApp({ workspaceRoot, env: noEnv, context: { stage: "test", digests: "placeholder" } });
  const registry = Template.fromStack(built.registry);
  const functionsStack = built.functionsStack;
  if (functionsStack === undefined) throw new Error("the functions stack is missing");
  const functions = Template.fromStack(functionsStack);

  it.each(realFunctions.map((fn) => [fn.name, fn] as const))(
    "gives %s an immutable, scanned, lifecycle-limited repository",
    (_name, fn) => {
      registry.hasResourceProperties("AWS::ECR::Repository", {
        RepositoryName: repositoryName("test", fn.name),
        ImageTagMutability: "IMMUTABLE",
        ImageScanningConfiguration: { ScanOnPush: true },
        LifecyclePolicy: {
          LifecyclePolicyText: Match.serializedJson({
            rules: [
              Match.objectLike({
                selection: Match.objectLike({ tagStatus: "untagged", countUnit: "days", countNumber: 1 }),
              }),
              Match.objectLike({
                selection: Match.objectLike({
                  tagStatus: "tagged",
                  countType: "imageCountMoreThan",
                  countNumber: 10,
                }),
              }),
            ],
          }),
        },
      });
      registry.hasResource("AWS::ECR::Repository", {
        Properties: Match.objectLike({
          RepositoryName: repositoryName("test", fn.name),
          EmptyOnDelete: false,
        }),
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
      });
    },
  );

  it.each(realFunctions.map((fn) => [fn.name, fn] as const))(
    "deploys %s from its repository with the memory, timeout, architecture and environment of its config",
    (_name, fn) => {
      const props = lambdaOf(functions, lambdaFunctionName("test", fn.name));
      expect(props.PackageType).toBe("Image");
      expect(props.MemorySize).toBe(fn.memorySize);
      expect(props.Timeout).toBe(fn.timeout);
      expect(props.Architectures).toEqual([fn.architecture]);
      expect(props.ImageConfig).toEqual({ Command: [fn.lambdaHandler] });
      const imageUri = flatten((props.Code as { ImageUri: unknown }).ImageUri);
      expect(imageUri).toMatch(/^\$\{AWS::AccountId\}\.dkr\.ecr\.\$\{AWS::Region\}\./);
      expect(imageUri.endsWith(`/${repositoryName("test", fn.name)}@${PLACEHOLDER_DIGEST}`)).toBe(true);
      const variables = (props.Environment as { Variables: Record<string, string> }).Variables;
      expect(variables).toMatchObject(fn.environment);
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe(fn.environment.POWERTOOLS_SERVICE_NAME ?? fn.name);
      expect(variables.POWERTOOLS_LOG_LEVEL).toBe(fn.environment.POWERTOOLS_LOG_LEVEL ?? "INFO");
      // Stack traces name src/*.ts: the bundle's source map ships in the image (dist/index.mjs.map).
      expect(variables.NODE_OPTIONS).toBe(fn.environment.NODE_OPTIONS ?? "--enable-source-maps");
      functions.hasResourceProperties("AWS::Logs::LogGroup", {
        LogGroupName: `/aws/lambda/${lambdaFunctionName("test", fn.name)}`,
        RetentionInDays: fn.logRetentionDays,
      });
    },
  );

  it.each(realFunctions.flatMap((fn) => fn.routes.map((route) => [route.routeKey, fn.name] as const)))(
    "routes %s to %s through the HTTP API",
    (routeKey) => {
      functions.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: routeKey });
    },
  );

  it("has exactly the routes the functions declare, one function per function", () => {
    const routeKeys = Object.values(functions.findResources("AWS::ApiGatewayV2::Route")).map(
      (route) => (route as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(realFunctions.flatMap((fn) => fn.routes.map((r) => r.routeKey)).sort());
    functions.resourceCountIs("AWS::Lambda::Function", realFunctions.length);
    registry.resourceCountIs("AWS::ECR::Repository", realFunctions.length);
  });

  it("gives each role its own log group (and its own queue, for a queue worker), and no managed policy", () => {
    for (const role of Object.values(functions.findResources("AWS::IAM::Role"))) {
      expect((role as { Properties: Record<string, unknown> }).Properties.ManagedPolicyArns).toBeUndefined();
    }
    const policies = Object.values(functions.findResources("AWS::IAM::Policy")) as {
      Properties: { PolicyDocument: { Statement: { Action: string[] | string; Resource: unknown }[] } };
    }[];
    expect(policies).toHaveLength(realFunctions.length);
    const resources = policies.map((policy) =>
      policy.Properties.PolicyDocument.Statement.map((statement) => JSON.stringify(statement.Resource)),
    );
    for (const fn of realFunctions) {
      const id = fn.name
        .split("-")
        .map((part) => part[0]?.toUpperCase() + part.slice(1))
        .join("");
      const own = resources.find((list) => list.some((r) => r.includes(`"${id}Logs`)));
      expect(own, `the policy of ${fn.name}`).toBeDefined();
      const expected = fn.sqs === undefined ? [`${id}Logs`] : [`${id}Logs`, `${id}Queue`];
      expect(own?.map((r) => /"([A-Za-z0-9]+?)[0-9A-F]{8}"/.exec(r)?.[1])).toEqual(expected);
    }
  });

  it.each(realFunctions.filter((fn) => fn.sqs !== undefined).map((fn) => [fn.name, fn] as const))(
    "feeds %s from an encrypted queue with a dead-letter queue, reporting failed records one by one",
    (_name, fn) => {
      const trigger = fn.sqs;
      if (trigger === undefined) throw new Error("no sqs trigger");
      functions.hasResourceProperties("AWS::SQS::Queue", {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: fn.timeout * 6,
        RedrivePolicy: { maxReceiveCount: trigger.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
      });
      functions.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        BatchSize: trigger.batchSize,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        FunctionName: Match.anyValue(),
        ...(trigger.maxBatchingWindowSeconds > 0
          ? { MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds }
          : {}),
      });
    },
  );

  it.each(realFunctions.filter((fn) => fn.functionUrl !== undefined).map((fn) => [fn.name, fn] as const))(
    "puts a Function URL with the configured auth type and invoke mode in front of %s",
    (_name, fn) => {
      functions.hasResourceProperties("AWS::Lambda::Url", {
        AuthType: fn.functionUrl?.authType,
        InvokeMode: fn.functionUrl?.invokeMode,
      });
    },
  );

  it.each(realFunctions.map((fn) => [fn.name, fn] as const))(
    "deploys the async settings of %s as its event invoke config",
    (_name, fn) => {
      expect(eventInvokeConfigOf(functions, lambdaFunctionName("test", fn.name))).toEqual({
        FunctionName: { Ref: expect.any(String) },
        Qualifier: "$LATEST",
        MaximumRetryAttempts: fn.async.maximumRetryAttempts,
        MaximumEventAgeInSeconds: fn.async.maximumEventAgeSeconds,
      });
    },
  );

  it("has one event invoke config per function", () => {
    functions.resourceCountIs("AWS::Lambda::EventInvokeConfig", realFunctions.length);
  });

  it("has one queue pair and one Function URL per function that asks for them", () => {
    const queued = realFunctions.filter((fn) => fn.sqs !== undefined).length;
    functions.resourceCountIs("AWS::SQS::Queue", queued * 2);
    functions.resourceCountIs("AWS::Lambda::EventSourceMapping", queued);
    functions.resourceCountIs(
      "AWS::Lambda::Url",
      realFunctions.filter((fn) => fn.functionUrl !== undefined).length,
    );
  });

  it("logs every API request and throttles the stage", () => {
    functions.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^HttpApiAccessLogs"), "Arn"] },
        Format: Match.stringLikeRegexp("\\$context\\.requestId"),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it("outputs the API URL and each routed function's URLs", () => {
    const outputs = functions.findOutputs("*");
    expect(Object.keys(outputs)).toContain("ApiUrl");
    for (const fn of realFunctions.filter((f) => f.routes.length > 0)) {
      const output = Object.entries(outputs).find(([, value]) =>
        String((value as { Description?: string }).Description).includes(`of the ${fn.name} function`),
      );
      if (output === undefined) throw new Error(`no output for ${fn.name}`);
      const text = flatten((output[1] as { Value: unknown }).Value);
      for (const route of fn.routes) expect(text).toContain(`${route.method} `);
      for (const route of fn.routes) expect(text).toContain(route.path);
    }
  });

  it("passes the cdk-nag AWS Solutions checks with no unsuppressed error or warning", () => {
    for (const stack of [built.registry, functionsStack]) {
      const annotations = Annotations.fromStack(stack);
      const errors = annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"));
      const warnings = annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"));
      expect([...errors, ...warnings].map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    }
  });

  it("warns that placeholder digests cannot be deployed", () => {
    Annotations.fromStack(functionsStack).hasWarning("*", Match.stringLikeRegexp("placeholder digests"));
  });
});

describe("cdk-nag", () => {
  it("turns a non-compliant resource into a synth error (so a clean app means something)", () => {
    const stack = new Stack();
    const repository = new ecr.Repository(stack, "Open");
    repository.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ["ecr:BatchGetImage"] }),
    );
    applyNagChecks(stack);
    const errors = Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-ECR1"));
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe("digests", () => {
  it("deploys each function by the digest recorded for it", () => {
    const deployDir = tempDir();
    const digests = new Map(realFunctions.map((fn) => [fn.name, randomDigest()]));
    for (const fn of realFunctions) {
      writeDigestRecord(deployDir, {
        function: fn.name,
        target: "local",
        registry: "127.0.0.1:5000",
        repository: repositoryName("rec", fn.name),
        digest: digests.get(fn.name) ?? "",
        platform: "linux/amd64",
        tags: ["v1-abcdefabcdef"],
        version: fn.version,
        recordedAt: new Date().toISOString(),
      });
    }
    const built = buildApp({ workspaceRoot, env: noEnv, deployDir, context: { stage: "rec" } });
    if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
    const template = Template.fromStack(built.functionsStack);
    for (const fn of realFunctions) {
      const props = lambdaOf(template, lambdaFunctionName("rec", fn.name));
      const imageUri = flatten((props.Code as { ImageUri: unknown }).ImageUri);
      expect(imageUri).toContain(`/${repositoryName("rec", fn.name)}@${digests.get(fn.name)}`);
    }
  });

  it("refuses to synthesize when a function has no recorded digest, naming it and the way out", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("alpha", {});
    workspace.addFunction("beta", {});
    const deployDir = tempDir();
    writeDigestRecord(deployDir, {
      function: "alpha",
      target: "aws",
      registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      repository: repositoryName("dev", "alpha"),
      digest: randomDigest(),
      platform: "linux/amd64",
      tags: ["v1.0.0-abcdefabcdef"],
      version: "1.0.0",
      recordedAt: new Date().toISOString(),
    });
    expect(() => buildApp({ workspaceRoot: workspace.root, env: noEnv, deployDir })).toThrow(
      /No image digest recorded for function "beta" in stage "dev".*digests=placeholder/s,
    );
  });

  it("refuses to synthesize when a recorded image is for another architecture than the function's", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("alpha", { architecture: "arm64" });
    workspace.addFunction("beta", {});
    const deployDir = tempDir();
    const record = (name: string, platform: string) => ({
      function: name,
      target: "aws" as const,
      registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      repository: repositoryName("dev", name),
      digest: randomDigest(),
      platform,
      tags: ["v1.0.0-abcdefabcdef"],
      version: "1.0.0",
      recordedAt: new Date().toISOString(),
    });
    const alpha = record("alpha", "linux/amd64");
    writeDigestRecord(deployDir, alpha);
    writeDigestRecord(deployDir, record("beta", "linux/amd64"));
    expect(() => buildApp({ workspaceRoot: workspace.root, env: noEnv, deployDir })).toThrow(
      `${join("functions", "alpha")} is configured for arm64 (linux/arm64) but the image recorded for it in ` +
        `${join(deployDir, "digests", "alpha.json")} (${alpha.registry}/${alpha.repository}@${alpha.digest}) is ` +
        "linux/amd64; publish it again",
    );
    writeDigestRecord(deployDir, record("alpha", "linux/arm64"));
    expect(buildApp({ workspaceRoot: workspace.root, env: noEnv, deployDir }).digests.size).toBe(2);
  });

  it("needs no digest to build the registry stack alone", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("alpha", {});
    const built = buildApp({
      workspaceRoot: workspace.root,
      env: noEnv,
      deployDir: tempDir(),
      context: { stacks: "registry" },
    });
    expect(built.functionsStack).toBeUndefined();
    Template.fromStack(built.registry).resourceCountIs("AWS::ECR::Repository", 1);
  });
});

describe("one source of truth", () => {
  it("adds a new function folder's repository, function and route with no change to the infra", () => {
    const workspace = track(copyWorkspaceFunctions(workspaceRoot));
    const before = discoverFunctions(workspace.root);
    workspace.addFunction("zz-added", {
      memorySize: 512,
      timeout: 3,
      architecture: "arm64",
      routes: ["POST /zz-added/{id}"],
      environment: { GREETING: "hi" },
      logRetentionDays: 30,
    });
    const built = buildApp({
      workspaceRoot: workspace.root,
      env: noEnv,
      context: { digests: "placeholder" },
    });
    if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
    const registry = Template.fromStack(built.registry);
    const functions = Template.fromStack(built.functionsStack);

    registry.resourceCountIs("AWS::ECR::Repository", before.length + 1);
    registry.hasResourceProperties("AWS::ECR::Repository", {
      RepositoryName: repositoryName("dev", "zz-added"),
    });
    const props = lambdaOf(functions, lambdaFunctionName("dev", "zz-added"));
    expect(props).toMatchObject({ MemorySize: 512, Timeout: 3, Architectures: ["arm64"] });
    expect(props.Environment).toEqual({
      Variables: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: "zz-added",
        POWERTOOLS_LOG_LEVEL: "INFO",
        GREETING: "hi",
      },
    });
    functions.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /zz-added/{id}" });
    functions.hasResourceProperties("AWS::Logs::LogGroup", {
      LogGroupName: `/aws/lambda/${lambdaFunctionName("dev", "zz-added")}`,
      RetentionInDays: 30,
    });
  });

  it("adds a queue worker's queues and a Function URL from config alone", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("worker", {
      sqs: { batchSize: 100, maxBatchingWindowSeconds: 5, maxReceiveCount: 4 },
    });
    workspace.addFunction("public-url", { functionUrl: { authType: "NONE", invokeMode: "BUFFERED" } });
    const built = buildApp({
      workspaceRoot: workspace.root,
      env: noEnv,
      context: { digests: "placeholder" },
    });
    if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
    const template = Template.fromStack(built.functionsStack);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 4 }),
    });
    template.hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE", InvokeMode: "BUFFERED" });
    expect(template.findResources("AWS::ApiGatewayV2::Api")).toEqual({});
    expect(Object.keys(template.findOutputs("*")).sort()).toEqual([
      "PublicUrlFunctionUrl",
      "WorkerDeadLetterQueueUrl",
      "WorkerQueueUrl",
    ]);
  });

  it("deploys each function's async settings from config, and Lambda's defaults when it has none", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("once", { async: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 3600 } });
    workspace.addFunction("patient", { async: { maximumEventAgeSeconds: 60 } });
    workspace.addFunction("plain", {});
    const built = buildApp({
      workspaceRoot: workspace.root,
      env: noEnv,
      context: { digests: "placeholder" },
    });
    if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
    const template = Template.fromStack(built.functionsStack);
    const settingsOf = (name: string) => {
      const { MaximumRetryAttempts, MaximumEventAgeInSeconds } = eventInvokeConfigOf(
        template,
        lambdaFunctionName("dev", name),
      );
      return { MaximumRetryAttempts, MaximumEventAgeInSeconds };
    };
    expect(settingsOf("once")).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    expect(settingsOf("patient")).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
    expect(settingsOf("plain")).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  });

  it("refuses async settings Lambda would refuse, naming the function and the field", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("eager", { async: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 30 } });
    expect(() =>
      buildApp({ workspaceRoot: workspace.root, env: noEnv, context: { digests: "placeholder" } }),
    ).toThrow(
      /eager\/package\.json.*lambda\.async\.maximumRetryAttempts: must be a whole number from 0 to 2.*lambda\.async\.maximumEventAgeSeconds: must be a whole number of seconds from 60 to 21600/s,
    );
  });

  it("rejects a log retention CloudWatch does not offer, naming the function", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("odd", { logRetentionDays: 10 });
    expect(() =>
      buildApp({ workspaceRoot: workspace.root, env: noEnv, context: { digests: "placeholder" } }),
    ).toThrow(
      /odd\/package\.json.*lambda\.logRetentionDays: must be a period CloudWatch Logs accepts: 1, 3, 5, 7, 14,/s,
    );
  });
});

describe("stage settings", () => {
  function fixture(): string {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("alpha", { routes: ["GET /alpha"] });
    return workspace.root;
  }

  it("deletes repositories (emptied) and logs with a throwaway stage, and keeps them otherwise", () => {
    const root = fixture();
    const throwaway = buildApp({
      workspaceRoot: root,
      env: noEnv,
      context: { stage: "pr-7", throwaway: "true", digests: "placeholder" },
    });
    Template.fromStack(throwaway.registry).hasResource("AWS::ECR::Repository", {
      Properties: Match.objectLike({ EmptyOnDelete: true, RepositoryName: "lambda-images/pr-7/alpha" }),
      DeletionPolicy: "Delete",
    });
    if (throwaway.functionsStack === undefined) throw new Error("the functions stack is missing");
    const logGroups = Template.fromStack(throwaway.functionsStack).findResources("AWS::Logs::LogGroup");
    expect(Object.values(logGroups).map((g) => (g as { DeletionPolicy?: string }).DeletionPolicy)).toEqual([
      "Delete",
      "Delete",
    ]);
  });

  it("encrypts repositories with KMS when asked", () => {
    const built = buildApp({
      workspaceRoot: fixture(),
      env: noEnv,
      context: { encryption: "KMS", digests: "placeholder" },
    });
    Template.fromStack(built.registry).hasResourceProperties("AWS::ECR::Repository", {
      EncryptionConfiguration: { EncryptionType: "KMS" },
    });
  });

  it("takes the account and region from the CDK CLI's environment, and pins the stacks to them", () => {
    const built = buildApp({
      workspaceRoot: fixture(),
      env: { CDK_DEFAULT_ACCOUNT: "123456789012", CDK_DEFAULT_REGION: "eu-central-1" },
      context: { digests: "placeholder" },
    });
    expect(built.registry.account).toBe("123456789012");
    expect(built.registry.region).toBe("eu-central-1");
    expect(built.functionsStack?.region).toBe("eu-central-1");
  });

  it("fails on an invalid setting, saying which and where it came from", () => {
    expect(() =>
      buildApp({ workspaceRoot: fixture(), env: { STAGE: "Prod!" }, context: { digests: "placeholder" } }),
    ).toThrow(
      /stage \(from environment variable STAGE, value "Prod!"\): must start with a lower-case letter/,
    );
    expect(() =>
      buildApp({ workspaceRoot: fixture(), env: noEnv, context: { digests: "maybe", keepImages: "0" } }),
    ).toThrow(/keepImages \(from context "keepImages".*\n.*digests \(from context "digests"/s);
  });
});

describe("template snapshot of a fixed three-function workspace", () => {
  it("matches the reviewed templates", () => {
    const workspace = track(createTempWorkspace());
    workspace.addFunction("alpha", { routes: ["GET /alpha", "ANY /alpha/{proxy+}"], description: "Alpha" });
    workspace.addFunction("beta", {
      strategy: "non-aws",
      architecture: "arm64",
      memorySize: 1024,
      timeout: 30,
      functionUrl: { invokeMode: "RESPONSE_STREAM" },
      async: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 3600 },
    });
    workspace.addFunction("gamma", { strategy: "os-only", sqs: {} });
    const built = buildApp({
      workspaceRoot: workspace.root,
      env: noEnv,
      context: { stage: "snap", digests: "placeholder" },
    });
    if (built.functionsStack === undefined) throw new Error("the functions stack is missing");
    expect(Template.fromStack(built.registry).toJSON()).toMatchSnapshot("registry stack");
    expect(Template.fromStack(built.functionsStack).toJSON()).toMatchSnapshot("functions stack");
  });
});
