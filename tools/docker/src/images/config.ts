/**
 * The shared base images under images/: each folder is a workspace package whose package.json has an "image"
 * block naming the image it builds, the strategy it serves and its build context. Read only through this module.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { STRATEGIES, type Strategy } from "@lambda-images/function-config";
import { z } from "zod";

const imageBlockSchema = z.strictObject({
  repository: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, {
    message: 'must be a lower-case image repository such as "lambda-images/node-os-only"',
  }),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be a valid image tag" })
    .refine((tag) => tag !== "latest", { message: 'must be pinned: "latest" moves' }),
  strategy: z.enum(STRATEGIES),
  /** The build context, relative to the image folder ("." by default). */
  context: z.string().default("."),
});

export interface BaseImageDefinition {
  /** The folder name under images/, e.g. "node-os-only". */
  readonly name: string;
  readonly packageName: string;
  /** Absolute path of the image folder. */
  readonly dir: string;
  readonly dockerfile: string;
  /** Absolute path of the build context. */
  readonly context: string;
  readonly repository: string;
  readonly tag: string;
  /** "repository:tag", the reference function Dockerfiles default their BASE_IMAGE to. */
  readonly reference: string;
  readonly strategy: Strategy;
}

export function loadBaseImage(dir: string): BaseImageDefinition {
  const root = resolve(dir);
  const file = join(root, "package.json");
  let pkg: { name?: unknown; image?: unknown };
  try {
    pkg = JSON.parse(readFileSync(file, "utf8")) as typeof pkg;
  } catch (error) {
    throw new Error(`${file}: cannot be read as JSON (${(error as Error).message}).`);
  }
  if (pkg.image === undefined) {
    throw new Error(
      `${file}: has no "image" block. Add { "repository": "lambda-images/<name>", "tag": "22", "strategy": "os-only" }.`,
    );
  }
  const parsed = imageBlockSchema.safeParse(pkg.image);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - image.${issue.path.join(".")}: ${issue.message}`,
    );
    throw new Error(`${file}: invalid "image" block\n${problems.join("\n")}`);
  }
  const dockerfile = join(root, "Dockerfile");
  if (!existsSync(dockerfile))
    throw new Error(`${root}: has a package.json "image" block but no Dockerfile.`);
  const block = parsed.data;
  return {
    name: root.split(/[\\/]/).at(-1) ?? root,
    packageName: typeof pkg.name === "string" ? pkg.name : root,
    dir: root,
    dockerfile,
    context: resolve(root, block.context),
    repository: block.repository,
    tag: block.tag,
    reference: `${block.repository}:${block.tag}`,
    strategy: block.strategy,
  };
}

/** Every shared base image: each images/<name> folder whose package.json has an "image" block, sorted by name. */
export function discoverBaseImages(workspaceRoot: string): BaseImageDefinition[] {
  const imagesDir = join(workspaceRoot, "images");
  if (!existsSync(imagesDir)) return [];
  const found: BaseImageDefinition[] = [];
  for (const entry of readdirSync(imagesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const pkgFile = join(imagesDir, entry.name, "package.json");
    if (!existsSync(pkgFile)) continue;
    found.push(loadBaseImage(join(imagesDir, entry.name)));
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
