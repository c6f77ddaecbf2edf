/** Runs a command to completion as a user's shell would, for the tests of the CLIs and the root commands. */
import { spawn } from "node:child_process";

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command args` in `cwd` with this process's environment, minus what pnpm sets for the test run itself
 * (INIT_CWD, npm_config_reporter), so the command sees what it would in a user's terminal; `stdin` is fed and closed.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  stdin = "",
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const { INIT_CWD: _initCwd, npm_config_reporter: _reporter, ...env } = process.env;
    const child = spawn(command, args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
