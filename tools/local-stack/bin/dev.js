#!/usr/bin/env node
// `pnpm dev [options]`: the root script; builds the local stack if needed, then `lambda-local dev`.
import { run } from "./workspace.js";

await run("dev", process.argv.slice(2));
