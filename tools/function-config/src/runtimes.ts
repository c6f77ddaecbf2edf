/**
 * The Lambda Node.js runtimes a function may target (its config's `runtime`), and everything each one decides:
 * the Node.js release it runs on locally and in the images on our own bases, the esbuild target, and the base
 * image of each strategy. The one place these versions are written; the Dockerfiles' defaults, the shared bases,
 * the CI stand-ins and the catalog's Node.js binaries are checked against this table in tests.
 */
import { createHash } from "node:crypto";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Strategy } from "./schema.js";

export const RUNTIMES = ["nodejs24.x", "nodejs22.x"] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** New functions, the examples and the generator target the current Lambda runtime. */
export const DEFAULT_RUNTIME: Runtime = "nodejs24.x";

export interface RuntimeInfo {
  readonly runtime: Runtime;
  /** The Node.js major version Lambda runs for this runtime. */
  readonly nodeMajor: 24 | 22;
  /**
   * The official Node.js release this project runs for it: the local stack's runtimes (npm package
   * node-linux-<arch>), the shared bases' Node.js (the official node image), the CI stand-ins.
   */
  readonly nodeVersion: string;
  /** esbuild's `target` for the bundle. */
  readonly esbuildTarget: string;
  /** The base image each strategy's Dockerfile defaults to (`ARG BASE_IMAGE=...`). */
  readonly baseImages: Readonly<Record<Strategy, string>>;
  /** The official Node.js image the shared bases take Node.js from (`ARG NODE_IMAGE=...`). */
  readonly nodeImage: string;
  /** When Lambda deprecates the runtime (no more updates), if announced. */
  readonly deprecation?: string;
}

function info(runtime: Runtime, nodeMajor: 24 | 22, nodeVersion: string, deprecation?: string): RuntimeInfo {
  return {
    runtime,
    nodeMajor,
    nodeVersion,
    esbuildTarget: `node${nodeMajor}`,
    baseImages: {
      "aws-base": `public.ecr.aws/lambda/nodejs:${nodeMajor}`,
      "os-only": `lambda-images/node-os-only:${nodeMajor}`,
      "non-aws": `lambda-images/node-debian-slim:${nodeMajor}`,
    },
    nodeImage: `node:${nodeVersion}-bookworm-slim`,
    ...(deprecation === undefined ? {} : { deprecation }),
  };
}

const TABLE: Readonly<Record<Runtime, RuntimeInfo>> = {
  "nodejs24.x": info("nodejs24.x", 24, "24.22.3"),
  "nodejs22.x": info("nodejs22.x", 22, "22.23.5", "2027-04-30"),
};

/** What `runtime` decides (see RuntimeInfo). */
export function runtimeInfo(runtime: Runtime): RuntimeInfo {
  return TABLE[runtime];
}

/**
 * The NODE_OPTIONS every function runs with, wherever it runs (deployed: the CDK app's environment; locally: the
 * runners): Node's source-map support, so a stack trace names the src/*.ts line of the bundle's map, not
 * dist/index.mjs:1:7090. A function's own NODE_OPTIONS replaces it.
 */
export const SOURCE_MAP_NODE_OPTIONS = "--enable-source-maps";

/**
 * The `node` flags AWS's managed Node.js runtime starts a function with (its /var/runtime/bootstrap): V8's heap
 * sized from the function's memory (a tenth for the young generation, the rest for the old), `--expose-gc` and
 * an 80 KB HTTP header limit. The local runners and the shared bases' bootstrap start node the same way.
 */
export function managedRuntimeNodeFlags(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return [
    "--expose-gc",
    "--max-http-header-size=81920",
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpace}`,
  ];
}

/**
 * Where a function's V8 compile cache lives on this machine (Node's NODE_COMPILE_CACHE): lambda-build fills it when
 * it imports the bundle at build time, on the runtime's Node.js with the managed runtime's flags (`--expose-gc`
 * is part of the cache's key); the local runners hand it to the runtime, which then loads the bundle's compiled
 * code instead of compiling it again. A folder per function (and user) in the system's temporary folder: not in
 * dist/, so no image gets entries naming this machine's paths; not in the function folder, where a build watching
 * it would see the cache being written; and the throwaway functions of tests leave nothing behind past a reboot.
 * A missing or stale entry (another bundle, Node.js or flag set) is skipped by Node.
 */
export function compileCacheDir(functionDir: string): string {
  const key = createHash("sha256").update(functionDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `lambda-images-node-compile-cache-${userInfo().uid}`, key);
}

/** The environment variable Node.js (22.1+) reads the compile cache folder from. */
export const COMPILE_CACHE_ENV = "NODE_COMPILE_CACHE";
