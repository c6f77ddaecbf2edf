import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  discoverFunctions,
  type FunctionDefinition,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
} from "@lambda-images/function-config";
import { stageDeployDir } from "../digests.js";
import { resolveStageSettings } from "../settings.js";
import { publishFunctions } from "./publish-all.js";
import { connectRegistry, resolveTarget } from "./target.js";

const USAGE = `Usage: lambda-publish [<function>...] [--all] [--target aws|local] [--stage <name>]

Pushes each function's built image to its repository (unless its content tag is already there) and records the
digest in infra/.deploy/<stage>/digests/<function>.json for the CDK app.

  <function>...   functions to publish; none: the function whose folder this runs in
  --all           every function in the workspace
  --target        aws (ECR; needs AWS credentials and region) or local (the registry at LOCAL_REGISTRY,
                  default 127.0.0.1:5000); default: DEPLOY_TARGET, else aws
  --stage         the stage whose repositories receive the images; default: STAGE, else dev`;

function isFunctionFolder(dir: string): boolean {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return false;
  return (JSON.parse(readFileSync(file, "utf8")) as { lambda?: unknown }).lambda !== undefined;
}

function selectFunctions(names: readonly string[], all: boolean, cwd: string): FunctionDefinition[] {
  if (all) return discoverFunctions(findWorkspaceRoot(cwd));
  if (names.length > 0) return names.map((name) => findFunction(name, findWorkspaceRoot(cwd)));
  if (isFunctionFolder(cwd)) return [loadFunction(cwd)];
  throw new Error(
    `Name the functions to publish, or pass --all (not in a function folder: ${cwd}).\n\n${USAGE}`,
  );
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], cwd: string = process.cwd()): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const target = resolveTarget(parsed.values.target);
    const { stage } = resolveStageSettings((key) => (key === "stage" ? parsed.values.stage : undefined));
    // Checked before any image is looked at: a missing region, credential, registry or engine fails here.
    const registry = await connectRegistry(target);
    const functions = selectFunctions(parsed.positionals, parsed.values.all === true, cwd);
    const workspaceRoot = findWorkspaceRoot(cwd);
    const deployDir = stageDeployDir(workspaceRoot, stage);
    return (await publishFunctions({ functions, registry, stage, deployDir })) ? 0 : 1;
  } catch (error) {
    console.error(`[publish] ${(error as Error).message}`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      all: { type: "boolean" },
      target: { type: "string" },
      stage: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
