import { existsSync, readdirSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { type ParsedInstruction, substitute } from "../../dockerfile/parse.js";
import type { Finding } from "../findings.js";
import { finding, type Rule, show } from "./context.js";

const WILDCARD = /[*?[]/;

function sourcesOf(instruction: ParsedInstruction): string[] {
  const words = instruction.json ?? instruction.args;
  return words.slice(0, -1);
}

function filesUnder(dir: string, rel: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const childRel = posix.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(join(dir, entry.name), childRel));
    else out.push(childRel);
  }
  return out;
}

/** Every COPY/ADD source (not --from a stage) exists in the build context and is not left out by .dockerignore. */
export const copySourcesExist: Rule = (context) => {
  const findings: Finding[] = [];
  const { target, dockerIgnore } = context;
  for (const stage of context.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
      if (instruction.flags.has("from")) continue;
      for (const written of sourcesOf(instruction)) {
        if (instruction.keyword === "ADD" && /^[a-z][a-z0-9+.-]*:\/\//i.test(written)) continue;
        const source = substitute(written, context.dockerfile.globalArgs);
        if (source === undefined || WILDCARD.test(source)) continue;
        const rel =
          posix
            .normalize(source)
            .replace(/^(\.\/|\/)+/, "")
            .replace(/\/+$/, "") || ".";
        const path = join(target.context, rel);
        const where = `${instruction.keyword} ${written}`;
        if (!existsSync(path)) {
          const hint =
            target.fn && rel.split("/")[0] === relative(target.fn.dir, target.fn.distDir)
              ? `Build the function first (pnpm build, which runs lambda-build) so ${rel} exists.`
              : `Sources are relative to the build context (${show(context, target.context)}), not to the Dockerfile: fix the path.`;
          findings.push(
            finding(
              context,
              instruction.line,
              "copy-source-exists",
              `${where}: ${rel} does not exist in the build context ${show(context, target.context)}. ${hint}`,
            ),
          );
          continue;
        }
        const files = statSync(path).isDirectory() ? filesUnder(path, rel === "." ? "" : rel) : [rel];
        if (files.length > 0 && files.every((file) => dockerIgnore.ignores(file))) {
          findings.push(
            finding(
              context,
              instruction.line,
              "copy-source-exists",
              `${where}: ${rel} is left out of the build context by ${show(context, dockerIgnore.file ?? ".dockerignore")}, ` +
                `so docker build fails. Re-include it with a "!${rel}" line after the pattern that excludes it.`,
            ),
          );
        }
      }
    }
  }
  return findings;
};
