/**
 * The task graphs, read from the real turbo on this workspace: `turbo run build deploy` checks the target before any
 * image is built (and says what is missing), `turbo run image` never touches AWS, and no task of `pnpm test` hashes
 * a file that a run itself writes (so a second run with nothing changed is all cache hits).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { afterAll, describe, expect, it } from "vitest";

const workspaceRoot = findWorkspaceRoot();
const functions = discoverFunctions(workspaceRoot);
const infraDir = join(workspaceRoot, "infra");
const turbo = join(workspaceRoot, "node_modules", ".bin", "turbo");
const PREFLIGHT = "@lambda-images/infra#preflight";
const BASE_IMAGE_TASKS = [
  "@lambda-images/image-node-os-only#image",
  "@lambda-images/image-node-debian-slim#image",
];

interface DryRunTask {
  readonly taskId: string;
  readonly task: string;
  readonly command: string;
  readonly dependencies: readonly string[];
  /** The files turbo hashes for the task, relative to its package folder. */
  readonly inputs: Readonly<Record<string, string>>;
}

interface DryRunGraph {
  readonly tasks: DryRunTask[];
  /** What turbo hashes into every task (files, the root's internal dependencies, environment). */
  readonly globalCacheInputs: { readonly hashOfInternalDependencies: string };
}

/** `turbo run <tasks> --dry=json`: the whole graph turbo would run. */
function dryRunGraph(tasks: readonly string[], extra: readonly string[] = []): DryRunGraph {
  const result = spawnSync(turbo, ["run", ...tasks, "--dry=json", ...extra], {
    cwd: workspaceRoot,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`turbo --dry failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as DryRunGraph;
}

/** The graph's tasks by id. */
function dryRun(tasks: readonly string[], extra: readonly string[] = []): Map<string, DryRunTask> {
  return new Map(dryRunGraph(tasks, extra).tasks.map((task) => [task.taskId, task]));
}

/** Every task `taskId` waits for, directly or not. */
function upstream(graph: ReadonlyMap<string, DryRunTask>, taskId: string): Set<string> {
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const dependency of graph.get(id)?.dependencies ?? []) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      visit(dependency);
    }
  };
  visit(taskId);
  return seen;
}

/** Tasks that run the image tool's build, base, local or publish command (publish builds the deployed image). */
function imageTasks(graph: ReadonlyMap<string, DryRunTask>): DryRunTask[] {
  return [...graph.values()].filter((task) =>
    /\blambda-image (build|base|local|publish)\b/.test(task.command),
  );
}

/**
 * What runs write beside the sources (git ignores them all): turbo's task logs, the image tool's records, build logs
 * and locks, the local registry's data. A task whose inputs match one is hashed differently after every run that
 * wrote it, so it never hits the cache. Build outputs (dist/) are legitimate inputs of the tasks that test them.
 */
const WRITTEN_BY_RUNS = [
  /(^|\/)\.turbo\//,
  /(^|\/)\.image\//,
  /(^|\/)\.local\//,
  /(^|\/)node_modules\//,
  /\.log$/,
];

describe("pnpm test's task graph (turbo --dry)", () => {
  it("has no global input from workspace packages: the root links the tools whose bins it offers (link:)", () => {
    // Turbo hashes every file of the packages the root package.json depends on through workspace: into the global
    // hash, so a one-line change in one of them re-ran every task. `link:` gives the root the same bins
    // (pnpm event, pnpm invoke, lambda-export) without making them the root's internal dependencies.
    const global = dryRunGraph(["test"]).globalCacheInputs;
    const root = JSON.parse(readFileSync(join(workspaceRoot, "package.json"), "utf8")) as {
      devDependencies?: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    const viaWorkspace = Object.entries({ ...root.dependencies, ...root.devDependencies })
      .filter(([, spec]) => spec.startsWith("workspace:"))
      .map(([name, spec]) => `${name}: ${spec} (use link:<its folder>)`);
    expect(viaWorkspace).toEqual([]);
    expect(global.hashOfInternalDependencies).toBe("");
  });

  it("runs the image tool only after its build, and builds and tests a function without it", () => {
    const graph = dryRun(["lint", "typecheck", "test", "image"]);
    const docker = "@lambda-images/docker#build";
    const imageTool = [...graph.values()].filter((task) => /^lambda-image\b/.test(task.command));
    expect(imageTool.length).toBeGreaterThan(functions.length);
    expect(
      imageTool.filter((task) => !upstream(graph, task.taskId).has(docker)).map((task) => task.taskId),
    ).toEqual([]);
    // hello imports nothing of the image tool or the local stack: a change there must not rebuild or retest it.
    for (const task of ["build", "typecheck", "test"]) {
      const before = upstream(graph, `@lambda-images/hello#${task}`);
      expect(
        [docker, "@lambda-images/local-stack#build"].filter((id) => before.has(id)),
        task,
      ).toEqual([]);
    }
    expect(upstream(graph, "@lambda-images/hello#build")).toContain("@lambda-images/build#build");
  });

  it("hashes no file a run writes: turbo's logs, image records, build logs", () => {
    // Files of each kind a run writes, so the check bites on a fresh clone too (before any run wrote them).
    const probes = [
      ...functions.slice(0, 1).flatMap((fn) => [join(fn.dir, ".turbo"), join(fn.dir, ".image")]),
      join(workspaceRoot, "images", "node-os-only", ".image"),
      join(workspaceRoot, "images", "node-os-only", ".turbo"),
    ].map((folder) => join(folder, "turbo-wiring-probe.log"));
    const created = probes.filter((probe) => {
      mkdirSync(join(probe, ".."), { recursive: true });
      try {
        writeFileSync(probe, "probe\n", { flag: "wx" });
        return true;
      } catch {
        return false;
      }
    });
    try {
      const graph = dryRun(["lint", "typecheck", "test"]);
      const offending = [...graph.values()].flatMap((task) =>
        Object.keys(task.inputs)
          .filter((file) => WRITTEN_BY_RUNS.some((pattern) => pattern.test(file)))
          .map((file) => `${task.taskId}: ${file} (exclude it in that package's turbo.json inputs)`),
      );
      expect(offending).toEqual([]);
    } finally {
      for (const probe of created) rmSync(probe, { force: true });
    }
  }, 120_000);
});

describe("the deploy's task graph (turbo --dry)", () => {
  const deploy = dryRun(["build", "deploy"]);

  it("lists every function as a dev dependency of infra, so infra's deploy waits for their publish", () => {
    const pkg = JSON.parse(readFileSync(join(infraDir, "package.json"), "utf8")) as {
      devDependencies?: Record<string, string>;
    };
    const missing = functions.filter((fn) => pkg.devDependencies?.[fn.packageName] !== "workspace:*");
    expect(
      missing.map(
        (fn) =>
          `add "${fn.packageName}": "workspace:*" to infra/package.json devDependencies, then pnpm install`,
      ),
    ).toEqual([]);
  });

  it("gives every function a publish task that runs `lambda-image publish`, which infra's deploy waits for", () => {
    const infraDeploy = deploy.get("@lambda-images/infra#deploy");
    expect(infraDeploy?.command).toBe("node bin/lambda-deploy.js functions");
    expect(infraDeploy?.dependencies).toContain("@lambda-images/infra#registry");
    for (const fn of functions) {
      expect(deploy.get(`${fn.packageName}#publish`)?.command).toBe("lambda-image publish");
      expect(infraDeploy?.dependencies).toContain(`${fn.packageName}#publish`);
    }
    expect(upstream(deploy, "@lambda-images/infra#registry")).toContain(PREFLIGHT);
  });

  it("puts infra's preflight before every task that builds or pushes an image", () => {
    const tasks = imageTasks(deploy);
    expect(tasks.map((task) => task.taskId).sort()).toEqual(
      functions.map((fn) => `${fn.packageName}#publish`).sort(),
    );
    for (const task of tasks) expect(upstream(deploy, task.taskId)).toContain(PREFLIGHT);
  });

  it("`turbo run image` builds the shared bases before each function's images, and needs no AWS", () => {
    const image = dryRun(["image"]);
    expect([...image.keys()].filter((id) => /infra#(preflight|registry)|#publish$/.test(id))).toEqual([]);
    for (const fn of functions) {
      expect(image.get(`${fn.packageName}#image`)?.dependencies).toEqual(
        expect.arrayContaining(BASE_IMAGE_TASKS),
      );
    }
    for (const base of BASE_IMAGE_TASKS) expect(image.get(base)?.command).toBe("lambda-image base");
  });
});

describe("`turbo run build deploy` without a target (the real turbo, nothing mocked)", () => {
  const home = mkdtempSync(join(tmpdir(), "infra-no-aws-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  /** The environment without any AWS configuration: no AWS_* or CDK_* variable, no config or credentials file. */
  function withoutAws(extra: Record<string, string>): NodeJS.ProcessEnv {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_DEFAULT_)/.test(name)),
    );
    return {
      ...env,
      AWS_CONFIG_FILE: join(home, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      TURBO_TELEMETRY_DISABLED: "1",
      ...extra,
    };
  }

  /**
   * Runs the deploy. Filtered to infra: the same deploy graph (infra's deploy pulls in every function's publish and
   * the preflight), with only the builds this test's own task already waited for, so no build runs twice at once.
   */
  function runDeploy(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
    const result = spawnSync(
      turbo,
      ["run", "build", "deploy", "--filter=@lambda-images/infra", "--output-logs=new-only"],
      { cwd: workspaceRoot, env, encoding: "utf8" },
    );
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  }

  /** Lines turbo prints for a task that started: "<package>:<task>: ...". */
  function started(output: string, task: string): string[] {
    return output.split("\n").filter((line) => new RegExp(`^\\S+:${task}: `).test(line));
  }

  it("stops at the preflight, naming the missing AWS region, before any image is built or pushed", () => {
    const { status, output } = runDeploy(withoutAws({ DEPLOY_TARGET: "aws" }));
    expect(status).not.toBe(0);
    expect(output).toMatch(/@lambda-images\/infra:preflight: .*No AWS region is set\. Set AWS_REGION/);
    expect(output).toMatch(/Failed:\s+@lambda-images\/infra#preflight/);
    expect(started(output, "publish")).toEqual([]);
    expect(started(output, "image")).toEqual([]);
    expect(started(output, "registry")).toEqual([]);
  }, 300_000);

  it("with a region but no credentials, names the missing credentials", () => {
    const { status, output } = runDeploy(withoutAws({ DEPLOY_TARGET: "aws", AWS_REGION: "eu-west-1" }));
    expect(status).not.toBe(0);
    expect(output).toMatch(/@lambda-images\/infra:preflight: .*No AWS credentials were found/);
    expect(started(output, "publish")).toEqual([]);
  }, 300_000);

  it("DEPLOY_TARGET=local without a registry names the registry it looked for", () => {
    const { status, output } = runDeploy(
      withoutAws({ DEPLOY_TARGET: "local", LOCAL_REGISTRY: "127.0.0.1:9" }),
    );
    expect(status).not.toBe(0);
    expect(output).toMatch(
      /@lambda-images\/infra:preflight: .*No registry answers at http:\/\/127\.0\.0\.1:9\/v2\//,
    );
    expect(started(output, "publish")).toEqual([]);
    expect(started(output, "image")).toEqual([]);
  }, 300_000);
});
