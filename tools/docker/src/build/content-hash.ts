/**
 * Content hashes that tag images: what goes into the build context (after .dockerignore), the Dockerfile, and
 * every other input that changes the image (base image ids, build arguments, platform).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { loadDockerIgnore } from "../dockerfile/dockerignore.js";

/** The files Docker sends for the build context `dir`, relative and sorted. */
export function contextFiles(dir: string): string[] {
  const ignore = loadDockerIgnore(dir);
  const files: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel ? posix.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" || !ignore.ignores(childRel)) walk(join(abs, entry.name), childRel);
      } else if (!ignore.ignores(childRel)) {
        files.push(childRel);
      }
    }
  };
  walk(dir, "");
  return files.sort();
}

/** sha256 (hex) of the build context's files, the Dockerfile and the extra inputs, in a stable order. */
export function buildContentHash(
  context: string,
  dockerfile: string,
  inputs: Readonly<Record<string, string>>,
): string {
  const hash = createHash("sha256");
  const add = (label: string, data: string | Buffer) => {
    hash.update(`${label}\0${data.length}\0`);
    hash.update(data);
  };
  add("dockerfile", readFileSync(dockerfile));
  for (const file of contextFiles(context)) add(`file:${file}`, readFileSync(join(context, file)));
  for (const key of Object.keys(inputs).sort()) add(`input:${key}`, inputs[key] ?? "");
  return hash.digest("hex");
}
