import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDockerIgnore, parseDockerIgnore } from "./dockerignore.js";

describe(".dockerignore matching", () => {
  it("lets in only what an allow-list re-includes, and the last matching line wins", () => {
    const ignore = parseDockerIgnore("# only the bundle\n*\n!dist/\ndist/meta.json\n");
    expect(ignore.ignores("src/index.ts")).toBe(true);
    expect(ignore.ignores("node_modules/x/index.js")).toBe(true);
    expect(ignore.ignores("package.json")).toBe(true);
    expect(ignore.ignores("dist/index.mjs")).toBe(false);
    expect(ignore.ignores("dist/index.mjs.map")).toBe(false);
    expect(ignore.ignores("dist/meta.json")).toBe(true);
  });

  it("keeps * and ? inside one folder level and lets ** span levels", () => {
    const ignore = parseDockerIgnore("*.md\n**/*.test.ts\nlogs/?.log\n/build\n");
    expect(ignore.ignores("README.md")).toBe(true);
    expect(ignore.ignores("docs/README.md")).toBe(false);
    expect(ignore.ignores("a.test.ts")).toBe(true);
    expect(ignore.ignores("src/deep/a.test.ts")).toBe(true);
    expect(ignore.ignores("logs/1.log")).toBe(true);
    expect(ignore.ignores("logs/10.log")).toBe(false);
    expect(ignore.ignores("build/out.js")).toBe(true);
  });

  it("skips a left-out folder unless a ! line names it, as Docker's classic builder does", () => {
    const wildcard = parseDockerIgnore("*\n!*/Dockerfile\n!shared/\n");
    expect(wildcard.ignores("node-os-only/Dockerfile")).toBe(true);
    expect(wildcard.ignores("shared/bootstrap")).toBe(false);
    const named = parseDockerIgnore("*\n!node-os-only/Dockerfile\n");
    expect(named.ignores("node-os-only/Dockerfile")).toBe(false);
    expect(named.ignores("node-os-only/package.json")).toBe(true);
  });

  it("ignores nothing when the context has no .dockerignore", () => {
    const empty = mkdtempSync(join(tmpdir(), "dockerignore-"));
    expect(loadDockerIgnore(empty)).toMatchObject({ file: undefined });
    expect(loadDockerIgnore(empty).ignores("anything")).toBe(false);
    writeFileSync(join(empty, ".dockerignore"), "anything\n");
    expect(loadDockerIgnore(empty).ignores("anything")).toBe(true);
  });
});
