import { finalStage, type ParsedStage, substitute } from "../../dockerfile/parse.js";
import { stageBase, stageLineage } from "../stages.js";
import { finding, type Rule, type RuleContext } from "./context.js";

const ROOT_USERS = new Set(["root", "0", "root:root", "0:0"]);

/** The user a stage runs as: its last USER, else what it inherits from its lineage or a shared image. */
function effectiveUser(context: RuleContext, stage: ParsedStage): { user: string | undefined; line: number } {
  for (const ancestor of stageLineage(context.dockerfile, stage)) {
    const user = ancestor.instructions.filter((i) => i.keyword === "USER").at(-1);
    if (user) return { user: substitute(user.args[0] ?? "", context.dockerfile.globalArgs), line: user.line };
  }
  const root = stageLineage(context.dockerfile, stage).at(-1) ?? stage;
  const base = stageBase(context.dockerfile, root);
  if (base.kind === "image") return { user: context.baseImageUsers.get(base.reference), line: stage.line };
  return { user: undefined, line: stage.line };
}

/** Images not built on an AWS base run as an unprivileged user. */
export const nonRootUser: Rule = (context) => {
  if (context.target.strategy !== "non-aws") return [];
  const final = finalStage(context.dockerfile);
  if (!final) return [];
  const { user, line } = effectiveUser(context, final);
  if (user !== undefined && !ROOT_USERS.has(user)) return [];
  const as =
    user === undefined ? "root (no USER, and its base sets none that this lint knows of)" : `"${user}"`;
  return [
    finding(
      context,
      line,
      "non-root-user",
      `The final stage runs as ${as}. Images that are not built on an AWS base must run as an unprivileged ` +
        "user: add USER node (uid 1000 in the official Node.js image) after the last RUN, or build on " +
        "lambda-images/node-debian-slim, which does.",
    ),
  ];
};
