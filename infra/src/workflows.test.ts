import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { DEFAULT_RUNTIME, findWorkspaceRoot, runtimeInfo } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const workflowsDir = join(findWorkspaceRoot(), ".github", "workflows");
const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly steps: Step[];
  readonly env?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function load(name: string): { text: string; workflow: Workflow; steps: Step[] } {
  const text = readFileSync(join(workflowsDir, name), "utf8");
  const workflow = parse(text) as Workflow;
  return { text, workflow, steps: Object.values(workflow.jobs).flatMap((job) => job.steps) };
}

function runs(steps: readonly Step[]): string {
  return steps.map((step) => step.run ?? "").join("\n");
}

describe("GitHub Actions workflows", () => {
  it("has the CI, deploy and release workflows", () => {
    expect(files.sort()).toEqual(expect.arrayContaining(["ci.yml", "deploy.yml", "release.yml"]));
  });

  it.each(files)("%s is valid against the workflow schema (action-validator)", (name) => {
    const { text } = load(name);
    const result = validateWorkflow(text);
    expect(result.errors).toEqual([]);
  });

  it("the validator does reject a broken workflow", () => {
    const broken = "on: push\njobs:\n  build:\n    runs-onn: ubuntu-24.04\n    steps:\n      - run: echo\n";
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it("CI installs from the lockfile, caches turbo, builds, lints, tests and rehearses the deploy offline", () => {
    const { workflow, steps } = load("ci.yml");
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    const commands = runs(steps);
    expect(commands).toContain("pnpm install --frozen-lockfile");
    expect(commands).toMatch(/pnpm turbo run build\b/);
    expect(commands).toContain("pnpm run lint");
    expect(commands).toMatch(/pnpm turbo run typecheck test/);
    expect(commands).toContain("infra/scripts/start-local-registry.sh");
    const cache = steps.find((step) => step.uses?.startsWith("actions/cache@"));
    expect(cache?.with?.path).toBe(".turbo/cache");
    const rehearsal = steps.find((step) => step.run?.includes("turbo run build deploy"));
    expect(rehearsal?.env?.DEPLOY_TARGET).toBe("local");
  });

  it("deploy assumes an AWS role through OIDC (no stored keys) and runs the one command", () => {
    const { text, workflow, steps } = load("deploy.yml");
    expect(workflow.permissions?.["id-token"]).toBe("write");
    const credentials = steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with?.["role-to-assume"]).toBeTruthy();
    expect(credentials?.with?.["aws-region"]).toBeTruthy();
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
    const commands = runs(steps);
    expect(commands).toContain("pnpm turbo run build deploy");
    expect(commands.indexOf("preflight")).toBeLessThan(commands.indexOf("pnpm turbo run build deploy"));
    expect(Object.values(workflow.jobs)[0]?.env?.DEPLOY_TARGET).toBe("aws");
  });

  it("release opens the changesets version pull request", () => {
    const { workflow, steps } = load("release.yml");
    expect(workflow.permissions).toMatchObject({ contents: "write", "pull-requests": "write" });
    const changesets = steps.find((step) => step.uses?.startsWith("changesets/action@"));
    expect(changesets?.with?.version).toBe("pnpm run version-packages");
  });

  it.each(files)("%s runs on the default runtime's Node.js major and uses the pinned pnpm", (name) => {
    const { steps } = load(name);
    const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
    expect(setupNode?.with?.["node-version"]).toBe(runtimeInfo(DEFAULT_RUNTIME).nodeMajor);
    expect(steps.some((step) => step.uses?.startsWith("pnpm/action-setup@"))).toBe(true);
    expect(steps.every((step) => step.uses === undefined || /@v\d+$/.test(step.uses))).toBe(true);
  });
});
