import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";

const workspaceRoot = findWorkspaceRoot();
const functions = discoverFunctions(workspaceRoot);
const infraDir = join(workspaceRoot, "infra");

interface DryRunTask {
  readonly taskId: string;
  readonly dependencies: readonly string[];
}

describe("the deploy pipeline's task graph", () => {
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

  it("runs infra's deploy after the registry step and after every function's publish (turbo --dry)", () => {
    const turbo = join(workspaceRoot, "node_modules", ".bin", "turbo");
    const json = execFileSync(turbo, ["run", "deploy", "--dry=json", "--filter=@lambda-images/infra"], {
      cwd: workspaceRoot,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
      encoding: "utf8",
    });
    const tasks = (JSON.parse(json) as { tasks: DryRunTask[] }).tasks;
    const deploy = tasks.find((task) => task.taskId === "@lambda-images/infra#deploy");
    expect(deploy?.dependencies).toContain("@lambda-images/infra#registry");
    expect(deploy?.dependencies).toContain("@lambda-images/infra#build");
    for (const fn of functions) {
      expect(deploy?.dependencies).toContain(`${fn.packageName}#publish`);
      const publish = tasks.find((task) => task.taskId === `${fn.packageName}#publish`);
      expect(publish?.dependencies).toContain(`${fn.packageName}#image`);
    }
  });
});
