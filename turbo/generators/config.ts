/**
 * `turbo gen function` (or `pnpm --filter @lambda-images/generator-tests gen function`): writes a new function
 * folder, functions/<name>, laid out like functions/hello, that builds, tests and is discovered with no other edit.
 *
 *   turbo gen function                                  asks for the name, the strategy, the trigger and the
 *                                                       architecture
 *   turbo gen function --args orders-api os-only http   no questions: <name> <strategy> <trigger> [<architecture>]
 *                                                       (x86_64 unless arm64 is given)
 *
 * Templates live in ./templates: common/ for every function, then http/, sqs/ or none/ for the trigger.
 * Names, strategies, architectures and the config checks come from @lambda-images/function-config, the one schema.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlopTypes } from "@turbo/gen";
import {
  ARCHITECTURES,
  discoverFunctions,
  FunctionConfigError,
  functionConfigSchema,
  loadFunction,
  STRATEGIES,
} from "../../tools/function-config/src/index.js";

/** How each architecture is offered: the default first, and what choosing it means. */
const ARCHITECTURE_CHOICES: Readonly<Record<(typeof ARCHITECTURES)[number], string>> = {
  x86_64: "x86_64: what CI builds and runs the examples on",
  arm64:
    "arm64 (Graviton): about 20% less per GB-second; its images build on an arm64 machine or with emulation",
};

/** What invokes the generated function. */
export const TRIGGERS = {
  http: "HTTP API route (GET /<name>)",
  sqs: "SQS queue, with partial batch failures and a dead-letter queue",
  none: "none: invoked directly (the Invoke API, another service, a schedule)",
} as const;
export type Trigger = keyof typeof TRIGGERS;

/** The generated function's description, by trigger. */
const DESCRIPTIONS: Readonly<Record<Trigger, (name: string) => string>> = {
  http: (name) => `Answers GET /${name} over an API Gateway HTTP API.`,
  sqs: () => "Works through batches of messages from an SQS queue and reports the ones that failed.",
  none: () => "Invoked directly with a JSON event; answers the message and its length.",
};

/** plop's addMany action. @turbo/gen's AddManyActionConfig type also demands `path`, which addMany never reads. */
interface AddManyAction extends PlopTypes.ActionConfig {
  type: "addMany";
  destination: string;
  base: string;
  templateFiles: string;
  stripExtensions: string[];
  globOptions: Record<string, unknown>;
}

const isTrigger = (value: unknown): value is Trigger => typeof value === "string" && value in TRIGGERS;

/** Why `name` cannot be a new function in `root`, or undefined when it can. */
export function nameProblem(name: unknown, root: string): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "Give the function a name, e.g. orders-api.";
  const parsed = functionConfigSchema.shape.name.safeParse(name);
  if (!parsed.success)
    return `"${name}" ${parsed.error.issues[0]?.message ?? "is not a valid function name"}.`;
  if (existsSync(join(root, "functions", name))) {
    return `functions/${name} already exists: pick another name, or remove that folder first.`;
  }
  return undefined;
}

/** Problems the workspace would have once this function exists: a route another function already claims. */
function workspaceProblem(name: string, trigger: Trigger, root: string): string | undefined {
  if (trigger !== "http") return undefined;
  const routeKey = `GET /${name}`;
  const owner = discoverFunctions(root).find((fn) => fn.routes.some((route) => route.routeKey === routeKey));
  return owner
    ? `"${routeKey}" is already a route of function "${owner.name}": pick another name.`
    : undefined;
}

/** Runs a command in `cwd`, or throws with its output and what to do by hand. */
function run(command: string, args: readonly string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim() || String(result.error ?? "");
    throw new Error(
      `${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}): ${output}\n` +
        `Run it yourself at ${cwd}, then build the function.`,
    );
  }
}

const isArchitecture = (value: unknown): value is (typeof ARCHITECTURES)[number] =>
  typeof value === "string" && (ARCHITECTURES as readonly string[]).includes(value);

function answersOf(answers: PlopTypes.Answers | undefined): {
  name: string;
  strategy: string;
  trigger: Trigger;
  architecture: (typeof ARCHITECTURES)[number];
} {
  const name = answers?.name;
  const strategy = answers?.strategy;
  const trigger = answers?.trigger;
  // Not asked without a terminal when --args stops after the trigger: the schema's default.
  const architecture = answers?.architecture ?? "x86_64";
  if (
    typeof name !== "string" ||
    typeof strategy !== "string" ||
    !isTrigger(trigger) ||
    !isArchitecture(architecture)
  ) {
    throw new Error("The generator needs a name, a strategy, a trigger and an architecture.");
  }
  return { name, strategy, trigger, architecture };
}

export default function generator(plop: PlopTypes.NodePlopAPI): void {
  const root = plop.getDestBasePath();

  plop.setGenerator("function", {
    description: "A new Lambda function (HTTP route, SQS worker or plain), packaged three ways",
    prompts: [
      {
        type: "input",
        name: "name",
        message: "Function name (a-z, 0-9, '-'; names the folder, the package, the image and the route)",
        validate: (value: unknown) => nameProblem(value, root) ?? true,
      },
      {
        type: "list",
        name: "strategy",
        message: "Which image is deployed (all three are built)",
        choices: STRATEGIES.map((strategy) => ({ name: strategy, value: strategy })),
        default: "aws-base",
      },
      {
        type: "list",
        name: "trigger",
        message: "What invokes it",
        choices: Object.entries(TRIGGERS).map(([value, name]) => ({ name, value })),
        default: "http",
      },
      {
        type: "list",
        name: "architecture",
        message: "Which processor it runs on in Lambda",
        choices: ARCHITECTURES.map((value) => ({ name: ARCHITECTURE_CHOICES[value], value })),
        default: "x86_64",
        // Asked in a terminal; without one (`--args` that stop after the trigger) it takes the default. A boolean,
        // not a function: plop's --args cannot answer a prompt whose `when` is a function.
        when: process.stdin.isTTY === true,
      },
    ],
    actions: (data) => {
      const { name, trigger, architecture } = answersOf(data);
      const destination = `functions/${name}`;
      const templates = (folder: string): AddManyAction => ({
        type: "addMany",
        destination,
        base: `templates/${folder}`,
        templateFiles: `templates/${folder}/**/*`,
        stripExtensions: ["hbs"],
        globOptions: { dot: true },
        data: {
          http: trigger === "http",
          sqs: trigger === "sqs",
          none: trigger === "none",
          architecture,
          description: DESCRIPTIONS[trigger](name),
        },
        abortOnFail: true,
      });
      return [
        function checkName(answers) {
          const checked = answersOf(answers);
          const problem =
            nameProblem(checked.name, root) ?? workspaceProblem(checked.name, checked.trigger, root);
          if (problem) throw new Error(problem);
          return `functions/${checked.name} is free`;
        },
        templates("common"),
        templates(trigger),
        function format() {
          // The templates are written for short names; Biome wraps whatever a long name pushes past the line width.
          run("pnpm", ["exec", "biome", "check", "--write", destination], root);
          return `biome check --write ${destination}`;
        },
        function registerWithDeploy(answers) {
          // turbo orders infra's deploy after every function's publish through infra's dev dependencies (its
          // package graph comes from package.json files): the one line infra needs, written here.
          const { name: checkedName } = answersOf(answers);
          const file = join(root, "infra", "package.json");
          const pkg = JSON.parse(readFileSync(file, "utf8")) as { devDependencies?: Record<string, string> };
          const devDependencies = {
            ...pkg.devDependencies,
            [`@lambda-images/${checkedName}`]: "workspace:*",
          };
          pkg.devDependencies = Object.fromEntries(
            Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)),
          );
          writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
          return `infra/package.json: deploys after @lambda-images/${checkedName}'s publish`;
        },
        function install() {
          // Links the new workspace package's dependencies; everything it uses is already in the store.
          run("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"], root);
          return "pnpm install";
        },
        function verify(answers) {
          const { name: checkedName } = answersOf(answers);
          try {
            const fn = loadFunction(join(root, "functions", checkedName));
            if (!discoverFunctions(root).some((found) => found.dir === fn.dir)) {
              throw new Error(`functions/${checkedName} was written but discovery does not find it.`);
            }
            const triggerText =
              fn.routes.length > 0
                ? fn.routes.map((r) => r.routeKey).join(", ")
                : fn.sqs
                  ? "SQS"
                  : "direct invoke";
            return `${fn.name}: ${fn.strategy}, ${triggerText}, ${fn.architecture}. Next: pnpm --filter ${fn.packageName} build, then test`;
          } catch (error) {
            if (error instanceof FunctionConfigError) throw new Error(error.message);
            throw error;
          }
        },
      ];
    },
  });
}
