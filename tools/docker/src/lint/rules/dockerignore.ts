import { finding, type Rule, show } from "./context.js";

/** The build context has a .dockerignore. */
export const dockerIgnorePresent: Rule = (context) => {
  if (context.dockerIgnore.file !== undefined) return [];
  const where = show(context, context.target.context);
  return [
    finding(
      context,
      0,
      "dockerignore",
      `The build context ${where} has no .dockerignore, so docker build sends everything in it (node_modules, ` +
        `sources, tests). Add ${where}/.dockerignore that lets in only what the Dockerfile copies, e.g. "*" then "!dist/".`,
    ),
  ];
};
