import { readFileSync } from "node:fs";
import { APP_NAME, readDigestRecords, stageDeployDir } from "@lambda-images/docker/records";
import { discoverFunctions, type FunctionDefinition } from "@lambda-images/function-config";
import { Annotations, App, type Environment, Tags } from "aws-cdk-lib";
import { PLACEHOLDER_DIGEST, selectDigests } from "./digests.js";
import { FunctionsStack } from "./functions-stack.js";
import { applyNagChecks, suppressAcceptedFindings } from "./nag.js";
import { functionsStackName, registryStackName } from "./naming.js";
import { RegistryStack } from "./registry-stack.js";
import { resolveStageSettings, type StageSettings } from "./settings.js";

export interface BuildAppOptions {
  /**
   * Context on top of cdk.json's (stage settings such as `stage` or `digests`). The CDK CLI's `-c key=value`
   * arrive here through the CLI's own context channel.
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Where `app.synth()` writes the cloud assembly. Default: the CLI's choice, or a temp folder. */
  readonly outdir?: string;
  /** The workspace whose functions/ folder is deployed. */
  readonly workspaceRoot: string;
  /** Environment variables the stage settings fall back to. Default: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder holding this stage's digest records. Default: infra/.deploy/<stage> in the workspace. */
  readonly deployDir?: string;
}

/** The feature flags in cdk.json, so an in-process synth (tests) builds the same template as the CLI. */
function cdkJsonContext(): Record<string, unknown> {
  const file = new URL("../cdk.json", import.meta.url);
  const json = JSON.parse(readFileSync(file, "utf8")) as { context?: Record<string, unknown> };
  return json.context ?? {};
}

export interface LambdaImagesApp {
  readonly app: App;
  readonly settings: StageSettings;
  readonly functions: readonly FunctionDefinition[];
  readonly registry: RegistryStack;
  /** Undefined when the settings select the registry stack only. */
  readonly functionsStack: FunctionsStack | undefined;
  /** The digest each function is deployed with. */
  readonly digests: ReadonlyMap<string, string>;
}

/**
 * The whole CDK app: reads the stage settings from the app's context, discovers every function in the workspace,
 * and adds the registry stack and (unless only the registry is selected) the functions stack, with the cdk-nag
 * AWS Solutions checks applied.
 */
export function buildApp(options: BuildAppOptions): LambdaImagesApp {
  const app = new App({ context: { ...cdkJsonContext(), ...options.context }, outdir: options.outdir });
  const settings = resolveStageSettings((key) => app.node.tryGetContext(key), options.env ?? process.env);
  const functions = discoverFunctions(options.workspaceRoot);
  const env: Environment = { account: settings.account, region: settings.region };

  const registry = new RegistryStack(app, "Registry", {
    stackName: registryStackName(settings.stage),
    description: `ECR repositories of the ${APP_NAME} functions (${settings.stage})`,
    env,
    functions,
    settings,
  });

  let functionsStack: FunctionsStack | undefined;
  let digests: ReadonlyMap<string, string> = new Map();
  if (settings.stacks === "all") {
    const deployDir = options.deployDir ?? stageDeployDir(options.workspaceRoot, settings.stage);
    const names = functions.map((fn) => fn.name);
    digests =
      settings.digests === "placeholder"
        ? new Map(names.map((name) => [name, PLACEHOLDER_DIGEST]))
        : selectDigests(functions, readDigestRecords(deployDir), { stage: settings.stage, deployDir });
    functionsStack = new FunctionsStack(app, "Functions", {
      stackName: functionsStackName(settings.stage),
      description: `The ${APP_NAME} functions by image digest, behind one HTTP API (${settings.stage})`,
      env,
      functions,
      digests,
      settings,
    });
    functionsStack.addStackDependency(
      registry,
      "Lambda pulls each image from the registry stack's repositories",
    );
    if (settings.digests === "placeholder") {
      Annotations.of(functionsStack).addWarningV2(
        "lambda-images:placeholder-digests",
        "Synthesized with placeholder digests (-c digests=placeholder): this template cannot be deployed.",
      );
    }
    suppressAcceptedFindings(functionsStack);
  }

  Tags.of(app).add("project", APP_NAME);
  Tags.of(app).add("stage", settings.stage);
  applyNagChecks(app);
  return { app, settings, functions, registry, functionsStack, digests };
}
