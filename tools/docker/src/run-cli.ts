/** `lambda-image`: lints Dockerfiles and builds the images of the workspace's functions and shared bases. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Colours, isUsageError, reportError, UsageError } from "@lambda-images/cli";
import {
  type BuiltImageRecord,
  discoverFunctions,
  type FunctionDefinition,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
  STRATEGIES,
  type Strategy,
} from "@lambda-images/function-config";
import { ImageBuilder } from "./build/builder.js";
import { parseBaseOverrides } from "./build/overrides.js";
import type { BuildProgress } from "./build/progress.js";
import { discoverBaseImages, loadBaseImage } from "./images/config.js";
import { formatFinding } from "./lint/findings.js";
import { lintWorkspace } from "./lint/lint.js";
import { functionDockerfile } from "./lint/targets.js";
import { buildLocalImage } from "./local/build-local.js";
import { publishFunction } from "./publish/publish.js";
import { stageDeployDir } from "./publish/records.js";
import { connectRegistry, resolveStage, resolveTarget } from "./publish/target.js";

export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** Follows long builds (default: nothing between "building" and "built"). */
  readonly progress?: BuildProgress;
  /** Colours for stdout and stderr (default: none). */
  readonly colours?: { readonly out: Colours; readonly err: Colours };
}

export const USAGE = `Usage: lambda-image <command> [options]

Commands:
  lint [--json]        Lint every Dockerfile the workspace ships (functions/*/Dockerfile.<strategy>,
                       images/*/Dockerfile) with the project's rules and dockerfilelint. Exit 1 on findings.
  build                Build <function>:<strategy> images (their shared base images first), tagged by content:
                       an unchanged image is re-tagged, not rebuilt. Records go to functions/<name>/.image/.
    --function NAME      a function (repeatable; default: the one in this folder, else all)
    --strategy S         aws-base, os-only, non-aws or all (repeatable; default: IMAGE_STRATEGY, else all)
    --platform P         e.g. linux/amd64 (default: IMAGE_PLATFORM, else the function's architecture)
    --base PUBLIC=IMAGE  use IMAGE where a Dockerfile's base ARG defaults to PUBLIC (repeatable; adds to
                         IMAGE_BASE_OVERRIDES, e.g. a mirror, a digest, or a local stand-in)
    --verbose            print docker's build output
    --local              also build the local-only <function>:<strategy>-local on each image: the same image
                         plus this project's emulator as aws-lambda-rie, for docker run -p 9000:8080
  local                Same as build --local (takes build's options).
  base [NAME...]       Build the shared base images under images/ (default: the one in this folder, else all).
                       Takes --platform, --base and --verbose too.
  publish              Build the image of the strategy each function deploys (its config's "strategy"; found
                       unchanged by its content tag when it was built before), push it to the function's
                       repository unless that tag is already there, and record the digest the registry serves
                       in infra/.deploy/<stage>/digests/<function>.json for the CDK app. The target is checked
                       first (region, credentials and ECR login; or the local registry; and the engine): nothing
                       is built when it fails.
    --function NAME      a function (repeatable; default: the one in this folder, else all)
    --target T           aws (ECR of the current AWS credentials) or local (the registry at LOCAL_REGISTRY,
                         default 127.0.0.1:5000); default: DEPLOY_TARGET, else aws
    --stage S            the stage whose repositories receive the images; default: STAGE, else dev
    --platform, --base, --verbose   as for build
  help                 Show this text.

Environment: IMAGE_STRATEGY, IMAGE_PLATFORM, IMAGE_BASE_OVERRIDES, DOCKER_HOST; for publish also DEPLOY_TARGET,
STAGE, LOCAL_REGISTRY and the AWS SDK's (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, ...).
`;

async function lintCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { json: { type: "boolean" } }, strict: true });
  const root = findWorkspaceRoot(io.cwd);
  const { targets, findings } = lintWorkspace(root);
  if (values.json) {
    io.out(JSON.stringify({ files: targets.map((t) => t.dockerfile), findings }, null, 2));
  } else {
    for (const finding of findings) io.err(formatFinding(finding, root));
    io.out(
      findings.length === 0
        ? `lambda-image lint: ${targets.length} Dockerfiles, no findings.`
        : `lambda-image lint: ${findings.length} finding(s) in ${new Set(findings.map((f) => f.file)).size} of ${targets.length} Dockerfiles.`,
    );
  }
  return findings.length === 0 ? 0 : 1;
}

const BUILD_OPTIONS = {
  function: { type: "string", multiple: true },
  strategy: { type: "string", multiple: true },
  platform: { type: "string" },
  base: { type: "string", multiple: true },
  verbose: { type: "boolean" },
  local: { type: "boolean" },
} as const;

function makeBuilder(
  root: string,
  values: { platform?: string; base?: string[]; verbose?: boolean },
  io: CliIo,
): ImageBuilder {
  const overrides = parseBaseOverrides(io.env.IMAGE_BASE_OVERRIDES);
  for (const [from, to] of parseBaseOverrides((values.base ?? []).join(","), "--base"))
    overrides.set(from, to);
  return new ImageBuilder({
    root,
    overrides,
    env: io.env,
    platform: values.platform ?? (io.env.IMAGE_PLATFORM || undefined),
    log: (line) => io.out(`lambda-image: ${line}`),
    onBuildOutput: values.verbose ? (line) => io.out(`  ${line}`) : undefined,
    // --verbose prints every line already; otherwise a live line (or plain step lines) shows where a build is.
    ...(values.verbose || io.progress === undefined ? {} : { progress: io.progress }),
  });
}

function parseStrategies(requested: readonly string[]): Strategy[] {
  const names = requested
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0 || names.includes("all")) return [...STRATEGIES];
  for (const name of names) {
    if (!(STRATEGIES as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown strategy "${name}": use ${STRATEGIES.join(", ")} or all.`);
    }
  }
  return names as Strategy[];
}

function isPackageWith(dir: string, block: string): boolean {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return false;
  return (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)[block] !== undefined;
}

function summary(built: BuiltImageRecord, colours: Colours | undefined): string {
  const size = `${(built.sizeBytes / 1e6).toFixed(1)} MB`;
  const how = built.reused
    ? (colours?.dim("unchanged") ?? "unchanged")
    : (colours?.green(`built in ${built.buildSeconds.toFixed(1)} s`) ??
      `built in ${built.buildSeconds.toFixed(1)} s`);
  return `${built.image.padEnd(40)} ${built.contentTag.padEnd(52)} ${built.imageId.slice(7, 19)}  ${size.padStart(9)}  ${how}`;
}

/** The named functions, else the one whose folder this runs in, else every function of the workspace. */
function selectFunctions(
  names: readonly string[] | undefined,
  root: string,
  cwd: string,
): FunctionDefinition[] {
  if (names && names.length > 0) return names.map((n) => findFunction(n, root));
  if (isPackageWith(cwd, "lambda")) return [loadFunction(cwd)];
  return discoverFunctions(root);
}

async function buildCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: BUILD_OPTIONS, strict: true });
  const root = findWorkspaceRoot(io.cwd);
  const functions = selectFunctions(values.function, root, io.cwd);
  const strategies = parseStrategies(
    values.strategy ?? (io.env.IMAGE_STRATEGY ? [io.env.IMAGE_STRATEGY] : []),
  );
  const builder = makeBuilder(root, values, io);
  await builder.engine();
  const results: BuiltImageRecord[] = [];
  for (const fn of functions) {
    for (const strategy of strategies) {
      if (!existsSync(functionDockerfile(fn, strategy))) {
        io.err(`lambda-image: ${fn.name} has no Dockerfile.${strategy}; skipped.`);
        continue;
      }
      if (!existsSync(fn.bundle)) {
        throw new Error(`${fn.name}: ${fn.bundle} does not exist. Build the function first (pnpm build).`);
      }
      if (values.local) {
        const { production, local } = await buildLocalImage(builder, fn, strategy, root);
        results.push(production, local);
      } else {
        results.push(await builder.buildFunctionImage(fn, strategy));
      }
    }
  }
  io.out(results.map((built) => summary(built, io.colours?.out)).join("\n"));
  return 0;
}

async function baseCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { platform: BUILD_OPTIONS.platform, base: BUILD_OPTIONS.base, verbose: BUILD_OPTIONS.verbose },
    allowPositionals: true,
    strict: true,
  });
  const root = findWorkspaceRoot(io.cwd);
  const all = discoverBaseImages(root);
  let images = all;
  if (positionals.length > 0) {
    images = positionals.map((name) => {
      const image = all.find((i) => i.name === name || i.reference === name);
      if (!image) throw new UsageError(`Unknown base image "${name}": ${all.map((i) => i.name).join(", ")}.`);
      return image;
    });
  } else if (isPackageWith(io.cwd, "image")) {
    images = [loadBaseImage(io.cwd)];
  }
  const builder = makeBuilder(root, values, io);
  await builder.engine();
  const results: BuiltImageRecord[] = [];
  for (const image of images) results.push(await builder.buildBaseImage(image));
  io.out(results.map((built) => summary(built, io.colours?.out)).join("\n"));
  return 0;
}

async function publishCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      function: BUILD_OPTIONS.function,
      target: { type: "string" },
      stage: { type: "string" },
      platform: BUILD_OPTIONS.platform,
      base: BUILD_OPTIONS.base,
      verbose: BUILD_OPTIONS.verbose,
    },
    strict: true,
  });
  const target = resolveTarget(values.target, io.env);
  const stage = resolveStage(values.stage, io.env);
  const root = findWorkspaceRoot(io.cwd);
  const functions = selectFunctions(values.function, root, io.cwd);
  // Before any image is built: a missing region, credential, registry or engine fails here.
  const registry = await connectRegistry(target, io.env);
  const builder = makeBuilder(root, values, io);
  const deployDir = stageDeployDir(root, stage);
  let pushed = 0;
  let failed = 0;
  for (const fn of functions) {
    try {
      const built = await builder.buildFunctionImage(fn, fn.strategy);
      const result = await publishFunction({
        fn,
        stage,
        registry,
        deployDir,
        image: { reference: built.contentTag, contentHash: built.contentHash, platform: built.platform },
        log: (line) => io.out(`lambda-image publish: ${line}`),
      });
      if (result.pushed) pushed += 1;
    } catch (error) {
      failed += 1;
      io.err(`lambda-image publish: ${fn.name}: ${(error as Error).message}`);
    }
  }
  const unchanged = functions.length - pushed - failed;
  io.out(
    `lambda-image publish: ${registry.target}/${stage} (${registry.host}): ${pushed} pushed, ${unchanged} unchanged, ${failed} failed`,
  );
  return failed === 0 ? 0 : 1;
}

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  lint: lintCommand,
  build: buildCommand,
  local: (args, io) => buildCommand([...args, "--local"], io),
  base: baseCommand,
  publish: publishCommand,
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command && args.some((arg) => arg === "--help" || arg === "-h")) {
    io.out(USAGE);
    return 0;
  }
  try {
    if (!command) throw new UsageError(`Unknown command "${name}".`);
    return await command(args, { ...io, cwd: resolve(io.cwd) });
  } catch (error) {
    return reportError(
      isUsageError(error) ? "lambda-image" : `lambda-image ${name}`,
      error,
      (text) => io.err(text.trimEnd()),
      {
        ...(io.colours ? { highlight: io.colours.err.red } : {}),
        helpCommand: "lambda-image --help",
      },
    );
  }
}
