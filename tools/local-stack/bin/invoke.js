#!/usr/bin/env node
// `pnpm invoke <function> ...`: builds the function, then invokes it; only its payload goes to stdout. pnpm finds
// this bin because the root package.json has no "invoke" script, so it prints no "> script" banner either.
import { run } from "./workspace.js";

const args = process.argv.slice(2);
await run("invoke", args.includes("--help") || args.includes("-h") ? args : ["--build", ...args]);
