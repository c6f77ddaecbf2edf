import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { DEFAULT_RUNTIME, findWorkspaceRoot, runtimeInfo } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const workflowsDir = join(findWorkspaceRoot(), ".github", "workflows");
const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, unknown>;
}
interface Job {
  readonly steps: Step[];
  readonly env?: Record<string, unknown>;
  readonly if?: string;
  readonly permissions?: Record<string, string>;
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
    expect(Object.values(workflow.jobs)[0]?.permissions?.["id-token"]).toBe("write");
    const credentials = steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with?.["role-to-assume"]).toBeTruthy();
    expect(credentials?.with?.["aws-region"]).toBeTruthy();
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
    // The command's own graph checks the target before any image is built (turbo-wiring.test.ts).
    expect(steps.find((step) => step.name === "Deploy")?.run).toBe("pnpm turbo run build deploy");
    expect(Object.values(workflow.jobs)[0]?.env?.DEPLOY_TARGET).toBe("aws");
  });

  it("release opens the changesets version pull request", () => {
    const { workflow, steps } = load("release.yml");
    expect(Object.values(workflow.jobs)[0]?.permissions).toEqual({
      contents: "write",
      "pull-requests": "write",
    });
    const changesets = steps.find((step) => step.uses?.startsWith("changesets/action@"));
    expect(changesets?.with?.version).toBe("pnpm run version-packages");
  });

  it.each(files)("%s runs on the default runtime's Node.js major and uses the pinned pnpm", (name) => {
    const { steps } = load(name);
    const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
    expect(setupNode?.with?.["node-version"]).toBe(runtimeInfo(DEFAULT_RUNTIME).nodeMajor);
    expect(steps.some((step) => step.uses?.startsWith("pnpm/action-setup@"))).toBe(true);
  });

  it.each(files)("%s pins every action by commit, with its version in a comment", (name) => {
    const { text } = load(name);
    const uses = [...text.matchAll(/^\s*(?:- )?uses:\s*(.+)$/gm)].map((match) => match[1]?.trim() ?? "");
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(files)("%s grants nothing by default; each job asks for what it needs", (name) => {
    const { workflow } = load(name);
    expect(workflow.permissions).toEqual({});
    for (const job of Object.values(workflow.jobs)) expect(job.permissions).toBeDefined();
  });
});

describe("the deploy workflow deploys only trusted code", () => {
  const { workflow, steps } = load("deploy.yml");
  const job = Object.values(workflow.jobs)[0] as Job;
  const condition = (job.if ?? "").replace(/\s+/g, " ");

  it("after CI, only for a push to this repository's main, never for a pull request (a fork's branch may be called main)", () => {
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain("github.event.workflow_run.head_branch == 'main'");
    expect(condition).toContain("github.event.workflow_run.head_repository.full_name == github.repository");
  });

  it("by hand, only from main", () => {
    expect(condition).toContain(
      "(github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main')",
    );
  });

  it("installs before it assumes the role, so no install script runs with AWS credentials", () => {
    const install = steps.findIndex((step) => step.run?.includes("pnpm install"));
    const credentials = steps.findIndex((step) =>
      step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(install).toBeGreaterThanOrEqual(0);
    expect(credentials).toBeGreaterThan(install);
  });

  it("keeps only the permissions it needs: an OIDC token and read access", () => {
    expect(job.permissions).toEqual({ "id-token": "write", contents: "read" });
    const checkout = steps.find((step) => step.uses?.startsWith("actions/checkout@"));
    expect(checkout?.with?.["persist-credentials"]).toBe(false);
  });
});
