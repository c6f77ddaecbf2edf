import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

/**
 * Vitest global setup: the run's own temporary folder. Every `os.tmpdir()` in the tests, and in the processes they
 * start, is a folder under it (TMPDIR is set before the test workers start), and the whole folder is removed when
 * the run ends, so the test workspaces, fixtures and records the suites write never pile up in the system's
 * temporary folder. Set KEEP_TEST_TMPDIR=1 to keep it for a look after a failure: its path is printed.
 */
export default function setup() {
  const root = mkdtempSync(join(tmpdir(), `vitest-${basename(process.cwd())}-`));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (process.env.KEEP_TEST_TMPDIR) {
      console.log(`Kept the test run's temporary folder: ${root}`);
      return;
    }
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    } catch (error) {
      console.warn(`Could not remove the test run's temporary folder ${root}: ${error.message}`);
    }
  };
}
