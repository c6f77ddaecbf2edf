import { relative } from "node:path";

/** One problem in one Dockerfile: where, which rule, what is wrong and what to do. */
export interface Finding {
  readonly file: string;
  /** 1-based; 0 when the problem concerns the file as a whole. */
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

/** "functions/hello/Dockerfile.non-aws:5: [non-root-user] …", paths relative to `root`. */
export function formatFinding(finding: Finding, root: string): string {
  const where = relative(root, finding.file) || finding.file;
  return `${where}:${finding.line}: [${finding.rule}] ${finding.message}`;
}
