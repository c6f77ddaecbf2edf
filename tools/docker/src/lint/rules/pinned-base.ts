import { unpinnedReason } from "../../dockerfile/image-ref.js";
import type { Finding } from "../findings.js";
import { stageBase } from "../stages.js";
import { finding, type Rule } from "./context.js";

/** Every FROM names a pinned image (a tag other than "latest", or a digest), an ARG with such a default, or a stage. */
export const pinnedBase: Rule = (context) => {
  const findings: Finding[] = [];
  for (const stage of context.dockerfile.stages) {
    const base = stageBase(context.dockerfile, stage);
    if (base.kind === "stage") continue;
    if (base.kind === "unresolved") {
      const problem = base.declared
        ? `ARG ${base.variable} has no default`
        : `${base.variable} is not declared by an ARG before the first FROM`;
      findings.push(
        finding(
          context,
          stage.line,
          "pinned-base",
          `FROM ${stage.image}: ${problem}. Declare it before the first FROM with a pinned default ` +
            `(ARG ${base.variable}=image:tag), so a plain docker build gets a known image and overrides stay possible.`,
        ),
      );
      continue;
    }
    const reason = unpinnedReason(base.reference);
    if (reason === undefined) continue;
    const via = base.viaArg === undefined ? "" : ` (the default of ARG ${base.viaArg})`;
    findings.push(
      finding(
        context,
        base.viaArg === undefined
          ? stage.line
          : (context.dockerfile.globalArgLines.get(base.viaArg) ?? stage.line),
        "pinned-base",
        `FROM ${stage.image}${via}: ${reason}. Pin a version tag (e.g. node:24.22.3-bookworm-slim) or a digest ` +
          "(image@sha256:...).",
      ),
    );
  }
  return findings;
};
