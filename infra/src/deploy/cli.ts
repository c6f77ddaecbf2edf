import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { reportError, UsageError } from "@lambda-images/cli";
import {
  connectRegistry,
  type ImageRegistry,
  readDigestRecords,
  resolveTarget,
  stageDeployDir,
} from "@lambda-images/docker/publish";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { checkRecordedPlatforms } from "../digests.js";
import { functionsStackName, registryStackName } from "../naming.js";
import { resolveStageSettings } from "../settings.js";
import { verifyTemplateDigests } from "./verify.js";

const USAGE = `Usage: lambda-deploy <step> [--target aws|local] [--stage <name>]

Steps (\`pnpm turbo run build deploy\` runs infra's preflight, then registry, then every function's publish
task, \`lambda-image publish\`, then functions):
  preflight   check that the target can be deployed to (AWS region, credentials and ECR login; or the local
              registry), and that a Docker engine answers; nothing else
  registry    aws: deploy the registry stack (one ECR repository per function)
              local: check the local registry (its repositories appear on first push)
  functions   aws: deploy the functions stack with the digests the publish tasks recorded (cdk deploy)
              local: synthesize it with the recorded digests (cdk synth) and check the template against the
              digests the local registry serves
  destroy     aws: delete both stacks (repositories are kept unless the stage was throwaway)
              local: forget the stage's recorded digests and synthesized templates

  --target    default: DEPLOY_TARGET, else aws
  --stage     default: STAGE, else dev`;

/** The infra package folder (this file is dist/deploy/cli.js or src/deploy/cli.ts). */
export const INFRA_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the CDK CLI of this package on the app in cdk.json. */
export function runCdk(args: readonly string[], options: { quiet?: boolean } = {}): Promise<string> {
  const cdk = createRequire(import.meta.url).resolve("aws-cdk/bin/cdk");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cdk, ...args], {
      cwd: INFRA_DIR,
      stdio: ["ignore", options.quiet ? "pipe" : "inherit", options.quiet ? "pipe" : "inherit"],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "1" },
    });
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`\`cdk ${args.join(" ")}\` failed (exit ${code}).${output ? `\n${output.trim()}` : ""}`),
        );
    });
  });
}

function say(line: string): void {
  console.log(`[deploy] ${line}`);
}

/**
 * The digests about to be deployed must come from this target's registry (never local digests into AWS), and each
 * must be an image for its function's architecture; checked before the CDK CLI starts.
 */
function checkRecordsBelongTo(registry: ImageRegistry, stage: string, workspaceRoot: string): void {
  const deployDir = stageDeployDir(workspaceRoot, stage);
  const records = readDigestRecords(deployDir);
  checkRecordedPlatforms(discoverFunctions(workspaceRoot), records, deployDir);
  const foreign = Object.values(records).filter(
    (record) => record.target !== registry.target || record.registry !== registry.host,
  );
  if (foreign.length > 0) {
    const list = foreign.map((r) => `${r.function} (${r.target}, ${r.registry})`).join(", ");
    throw new Error(
      `The digests recorded for stage "${stage}" in ${deployDir} include images from another registry: ${list}. ` +
        `Publish them to ${registry.host} first (DEPLOY_TARGET=${registry.target} pnpm turbo run build deploy).`,
    );
  }
}

/** The offline rehearsal's last step: synth with the recorded digests, then check them against the registry. */
export async function synthLocal(
  registry: ImageRegistry,
  stage: string,
  workspaceRoot: string,
): Promise<string[]> {
  checkRecordsBelongTo(registry, stage, workspaceRoot);
  const outdir = join(INFRA_DIR, "cdk.out", stage);
  await runCdk(["synth", "-q", "--output", outdir, "-c", `stage=${stage}`], { quiet: true });
  const functions = discoverFunctions(workspaceRoot);
  return verifyTemplateDigests({
    templateFile: join(outdir, "Functions.template.json"),
    functions,
    records: readDigestRecords(stageDeployDir(workspaceRoot, stage)),
    registry,
    stage,
  });
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const report = (error: unknown) =>
    reportError("lambda-deploy", error, (text) => console.error(text.trimEnd()));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return report(error);
  }
  const step = parsed.positionals[0];
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (step === undefined)
    return report(new UsageError("which step? (preflight, registry, functions, destroy)"));
  try {
    const target = resolveTarget(parsed.values.target);
    const { stage } = resolveStageSettings((key) => (key === "stage" ? parsed.values.stage : undefined));
    const workspaceRoot = findWorkspaceRoot(INFRA_DIR);
    const stageContext = ["-c", `stage=${stage}`];
    switch (step) {
      case "preflight": {
        const registry = await connectRegistry(target);
        say(`${target}/${stage}: ready to push to ${registry.host}`);
        return 0;
      }
      case "registry": {
        const registry = await connectRegistry(target);
        if (target === "local") {
          say(`local/${stage}: registry ${registry.host} answers; repositories are created on first push`);
          return 0;
        }
        await runCdk([
          "deploy",
          ...stageContext,
          "-c",
          "stacks=registry",
          "--require-approval",
          "never",
          "Registry",
        ]);
        say(`aws/${stage}: ${registryStackName(stage)} deployed to ${registry.host}`);
        return 0;
      }
      case "functions": {
        const registry = await connectRegistry(target);
        if (target === "local") {
          for (const line of await synthLocal(registry, stage, workspaceRoot)) say(line);
          say(
            `local/${stage}: the synthesized ${functionsStackName(stage)} references the digests the registry holds`,
          );
          return 0;
        }
        checkRecordsBelongTo(registry, stage, workspaceRoot);
        const outputs = join(stageDeployDir(workspaceRoot, stage), "outputs.json");
        await runCdk([
          "deploy",
          ...stageContext,
          "--exclusively",
          "--require-approval",
          "never",
          "--outputs-file",
          outputs,
          "Functions",
        ]);
        say(`aws/${stage}: ${functionsStackName(stage)} deployed; outputs in ${outputs}`);
        return 0;
      }
      case "destroy": {
        if (target === "local") {
          rmSync(stageDeployDir(workspaceRoot, stage), { recursive: true, force: true });
          rmSync(join(INFRA_DIR, "cdk.out", stage), { recursive: true, force: true });
          say(`local/${stage}: recorded digests and templates removed`);
          return 0;
        }
        // Destroying needs no real digests: the functions stack is deleted, not deployed.
        await runCdk(["destroy", ...stageContext, "-c", "digests=placeholder", "--all", "--force"]);
        say(`aws/${stage}: stacks destroyed`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown step "${step}" (preflight, registry, functions, destroy).`);
    }
  } catch (error) {
    return report(error);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      target: { type: "string" },
      stage: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
