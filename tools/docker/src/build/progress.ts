/** Following a `docker build` as it runs: the image it builds, then each Dockerfile step it starts. */

/** What follows a build as it runs (the command line's Progress: a live line on a terminal, plain lines in CI). */
export interface BuildProgress {
  start(label: string): void;
  step(step: string): void;
  end(): void;
}

/**
 * The Dockerfile step a `docker build` output line starts, or undefined: "step 3/9 RUN npm ci" from the classic
 * builder's "Step 3/9 : RUN npm ci" and from BuildKit's "#8 [builder 3/9] RUN npm ci".
 */
export function dockerBuildStep(line: string): string | undefined {
  const classic = /^Step (\d+\/\d+) : (.+)$/.exec(line.trim());
  if (classic) return `step ${classic[1]} ${classic[2]}`;
  const buildkit = /^#\d+ \[(?:([\w.-]+) )?(\d+\/\d+)\] (.+)$/.exec(line.trim());
  if (buildkit) return `step ${buildkit[2]}${buildkit[1] ? ` (${buildkit[1]})` : ""} ${buildkit[3]}`;
  return undefined;
}
