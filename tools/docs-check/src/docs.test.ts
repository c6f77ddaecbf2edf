/**
 * Every shell command the docs show (fenced sh/bash blocks in README.md, docs/*.md and each package's README.md):
 * each is either run here (it needs no AWS, no running stack and no Docker, and is quick) or listed in SKIP with
 * the reason. Every command, run or not, must name things that exist: root scripts, workspace packages and their
 * scripts and bins, and paths in the repository. `pnpm ...` commands quoted inline in the prose are checked the same
 * way. A new documented command fails here until it is added to RUN or SKIP.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import {
  brokenLinks,
  type DocCommand,
  docFiles,
  extractCommands,
  inlineCommands,
  outsidePaths,
  problems,
  readWorkspace,
} from "./commands.js";

const root = findWorkspaceRoot();
const ws = readWorkspace(root);
const docs = docFiles(ws).map((doc) => ({ doc, text: readFileSync(join(root, doc), "utf8") }));
const commands: DocCommand[] = docs.flatMap(({ doc, text }) => extractCommands(text, doc));
const inline: DocCommand[] = docs.flatMap(({ doc, text }) => inlineCommands(text, doc));

/** Run from the workspace root, as the docs say; each must exit 0. Quick, offline, read-only. */
const RUN = new Set([
  "pnpm dev --help",
  "pnpm event --help",
  "pnpm event http --path /hello --query name=Ada",
  `pnpm event sqs --body '{"orderId":"o-1","quantity":2}' --body '{"orderId":"o-2","quantity":1}'`,
  `pnpm event dynamodb --keys '{"id":"7"}' --new-image '{"name":"Ada","visits":3}'`,
  `pnpm event http --method POST --path /orders --header 'content-type: application/json' --body '{"id":1}'`,
  "pnpm event rest --path /hello --query name=Ada --query name=Bob",
  "pnpm event function-url --path /report --query rows=10",
  `pnpm event sqs --body '{"id":1}' --body '{"id":2}' --queue orders`,
  "pnpm event sns --message 'Disk almost full' --subject Alarm --topic alerts",
  "pnpm event s3 --bucket photos --key 'uploads/my photo.jpg' --event-name ObjectRemoved:Delete",
  `pnpm event eventbridge --source com.example.orders --detail-type 'Order Placed' --detail '{"orderId":"1001"}'`,
  "pnpm event schedule --rule nightly-report --region eu-west-1",
  `pnpm event dynamodb --event-name MODIFY --keys '{"id":"7"}' --old-image '{"visits":2}' --new-image '{"visits":3}'`,
]);

const NEEDS_STACK =
  "needs the local stack running (`pnpm dev`): its endpoints are tested by tools/local-stack";
const LONG_RUNNING = "long-running: serves or watches until Ctrl-C";
const NEEDS_DOCKER =
  "needs a Docker engine: image builds are tested by tools/docker's suites where one answers";
const NEEDS_AWS = "needs AWS credentials and an account";
const RECURSIVE =
  "builds or tests the workspace: `pnpm test` already does this (running it here would nest turbo)";
const INSTALLS = "changes the machine or the install: what the docs tell a new user to run once";
const INVOKE =
  "builds every function and starts a runtime (seconds): `pnpm invoke` is tested by tools/local-stack";
const WORKSPACE_BIN =
  "a workspace bin as a package's scripts run it (from a package folder): checked to be declared, run by the suites";

const EXPORTS =
  "writes a copy of a function outside the repository: tools/export exports hello and installs, builds, tests and images it there";
const IN_THE_COPY = "runs in an exported copy (outside the repository): tools/export runs it there";

const SKIP: Record<string, string> = {
  "pnpm export-function hello ../my-hello": EXPORTS,
  "pnpm export-function functions/thumbnail ../thumbnail --name thumbnail-service": EXPORTS,
  "cd ../my-hello": IN_THE_COPY,
  "npm install": IN_THE_COPY,
  "npm test": IN_THE_COPY,
  "npm install -g pnpm@10.34.9": INSTALLS,
  "pnpm install": INSTALLS,
  "pnpm dev": LONG_RUNNING,
  "pnpm test": RECURSIVE,
  "pnpm build": RECURSIVE,
  'curl "http://localhost:9000/2015-03-31/functions/function/invocations"  -d \'{"version":"2.0","routeKey":"GET /hello","rawPath":"/hello","rawQueryString":"name=Chris","queryStringParameters":{"name":"Chris"},"requestContext":{"http":{"method":"GET","path":"/hello"}}}\'':
    NEEDS_STACK,
  'curl "http://localhost:3000/hello?name=Chris"': NEEDS_STACK,
  'curl "http://127.0.0.1:3000/hello?name=Chris"': NEEDS_STACK,
  "curl --data-binary @photo.jpg -H 'content-type: image/jpeg' -o thumb.webp \"http://127.0.0.1:3000/thumbnail?width=200\"": `${NEEDS_STACK}; and a photo of your own`,
  "curl -XPOST http://localhost:9000/2015-03-31/functions/function/invocations -d @functions/hello/events/write-up-hello.json":
    "needs the image running under Docker (the `docker run` before it)",
  'curl -XPOST http://localhost:9000/2015-03-31/functions/function/invocations  -d \'{"version":"2.0","routeKey":"GET /hello","rawPath":"/hello","rawQueryString":"name=Chris","queryStringParameters":{"name":"Chris"},"requestContext":{"http":{"method":"GET","path":"/hello"}}}\'':
    "needs the image running under Docker (the `docker run` before it)",
  "pnpm invoke hello --event functions/hello/events/hello.json": INVOKE,
  "jq .body": "reads what the `pnpm invoke` piped into it prints (skipped above)",
  "jq -r .body": "reads what the `pnpm invoke` piped into it prints (skipped above)",
  "pnpm invoke hello --event functions/hello/events/write-up-hello.json": INVOKE,
  "pnpm invoke hello --event events/hello.json": INVOKE,
  "pnpm invoke orders-worker --event events/batch-partial-failure.json": INVOKE,
  "pnpm invoke report-stream --event events/report-1000-rows.json": INVOKE,
  "pnpm invoke thumbnail --event events/png-to-webp.json": INVOKE,
  "pnpm invoke hello --runtime container --strategy os-only --event functions/hello/events/write-up-hello.json":
    NEEDS_DOCKER,
  "pnpm image": NEEDS_DOCKER,
  "pnpm --filter @lambda-images/hello exec lambda-image local": NEEDS_DOCKER,
  "pnpm --filter @lambda-images/hello exec lambda-image local --strategy non-aws": NEEDS_DOCKER,
  "pnpm --filter @lambda-images/hello exec lambda-image build --strategy os-only": NEEDS_DOCKER,
  "pnpm --filter @lambda-images/hello exec lambda-image lint":
    "needs every function built (it checks each bundle exports its handler): tools/function-images-tests runs it after their builds",
  "docker run --rm -p 9000:8080 hello:non-aws-local": NEEDS_DOCKER,
  "pnpm dev --runtime container [--strategy os-only]": `${NEEDS_DOCKER}; ${LONG_RUNNING}`,
  "pnpm dev --runtime container": `${NEEDS_DOCKER}; ${LONG_RUNNING}`,
  "bash .ci/docker/start-engine.sh": `${NEEDS_DOCKER} (this starts one, as root)`,
  "bash .ci/docker/stand-ins/build.sh": NEEDS_DOCKER,
  "source .ci/docker/stand-ins/overrides.env": "only sets variables for the image builds after it (Docker)",
  "pnpm turbo run build --filter @lambda-images/infra": RECURSIVE,
  "pnpm --filter @lambda-images/infra exec cdk bootstrap aws://123456789012/eu-west-1": NEEDS_AWS,
  "AWS_REGION=eu-west-1 STAGE=dev pnpm turbo run build deploy": NEEDS_AWS,
  "pnpm turbo run preflight": NEEDS_AWS,
  "pnpm turbo run publish --filter @lambda-images/hello": `${NEEDS_AWS} and Docker`,
  "pnpm --filter @lambda-images/hello exec lambda-image publish": `${NEEDS_AWS} and Docker`,
  "pnpm --filter @lambda-images/infra run deploy": NEEDS_AWS,
  "pnpm --filter @lambda-images/infra run registry": NEEDS_AWS,
  "pnpm --filter @lambda-images/infra exec cdk synth -c digests=placeholder":
    "slow (the cdk CLI synthesizes the app, ~10 s): infra's own tests synthesize it in-process",
  "bash infra/scripts/start-local-registry.sh":
    "installs and starts a system service (docker-registry, as root)",
  "DEPLOY_TARGET=local STAGE=dev pnpm turbo run build deploy": "needs Docker and the local registry",
  "STAGE=dev pnpm --filter @lambda-images/infra run destroy": NEEDS_AWS,
  "aws ecr delete-repository --force --repository-name lambda-images/dev/hello": NEEDS_AWS,
  "aws logs delete-log-group --log-group-name /aws/lambda/lambda-images-dev-hello": NEEDS_AWS,
  "lambda-build": WORKSPACE_BIN,
  "lambda-build --dir functions/hello": WORKSPACE_BIN,
  "lambda-build --watch": LONG_RUNNING,
  "lambda-image lint": WORKSPACE_BIN,
  "lambda-image build [--strategy os-only]": NEEDS_DOCKER,
  "lambda-image local [--strategy non-aws]": NEEDS_DOCKER,
  "lambda-image base": NEEDS_DOCKER,
  "lambda-image publish --target local --stage dev": "needs Docker and the local registry",
  "lambda-image build --help": WORKSPACE_BIN,
  "pnpm --filter @lambda-images/local-stack test": RECURSIVE,
  "pnpm --filter @lambda-images/docs-check test": RECURSIVE,
  "pnpm --filter @lambda-images/events test": RECURSIVE,
  "pnpm invoke hello --event -":
    "reads the event `pnpm event` pipes into it: tools/events tests that pipe end to end (hello answers 200)",
  "pnpm event http --path /hello --query name=Ada --seed readme --out functions/hello/events/generated-hello-ada.json --force":
    "writes into the repository: tools/events tests that the committed fixture is exactly what this command writes",
  "pnpm --filter @lambda-images/local-stack bench":
    "a benchmark: minutes, and its figures vary with the machine",
  "node bench/cold-start.mjs":
    "a benchmark: minutes (Docker image rows included), and its figures vary with the machine",
  "pnpm --filter @lambda-images/build bench": "a benchmark: minutes, and its figures vary with the machine",
  "pnpm --filter @lambda-images/local-stack bench:soak":
    "a benchmark: a minute of load, figures vary with the machine",
  "pnpm --filter @lambda-images/generator-tests gen function":
    "interactive, and writes a new function into the repo",
  "pnpm --filter @lambda-images/generator-tests gen function --args orders-api os-only http":
    "writes a new function into the repo: tools/generator-tests runs the generator in a copy",
  "pnpm --filter @lambda-images/generator-tests gen function --args orders-api os-only http arm64":
    "writes a new function into the repo: tools/generator-tests runs the generator in a copy",
};
const LISTED = [...RUN, ...Object.keys(SKIP)];
for (const fn of ["orders-worker", "report-stream", "thumbnail"]) {
  SKIP[`pnpm export-function ${fn} ../my-${fn}`] = EXPORTS;
}
for (const fn of ["hello", "orders-worker", "report-stream", "thumbnail", "build"]) {
  for (const script of ["build", "test", "typecheck"])
    SKIP[`pnpm --filter @lambda-images/${fn} ${script}`] = RECURSIVE;
}
SKIP["pnpm --filter @lambda-images/hello dev"] = LONG_RUNNING;

const where = (command: DocCommand) => `${command.doc}:${command.line}: ${command.text}`;

describe("the documented commands", () => {
  it("are found (the extraction works on these docs)", () => {
    expect(docs.map((d) => d.doc)).toContain("docs/deploy.md");
    expect(commands.length).toBeGreaterThan(40);
  });

  it("are each run here or skipped for a stated reason", () => {
    const unlisted = commands.filter((c) => !RUN.has(c.text) && !(c.text in SKIP)).map(where);
    expect(
      unlisted,
      "add each to RUN (if it needs no AWS, stack or Docker) or to SKIP with a reason, in tools/docs-check/src/docs.test.ts",
    ).toEqual([]);
  });

  it("name root scripts, packages, bins, scripts and paths that exist", () => {
    const found = [...commands, ...inline].flatMap((c) => problems(c, ws).map((p) => `${where(c)}: ${p}`));
    expect(found).toEqual([]);
  });

  it("cite no path outside the repository, and their links resolve", () => {
    const found = docs.flatMap(({ doc, text }) => [
      ...outsidePaths(text, root).map((p) => `${doc}: cites ${p}, outside the repository`),
      ...brokenLinks(text, doc, root).map((l) => `${doc}: link to ${l}, which does not exist`),
    ]);
    expect(found).toEqual([]);
  });

  it("leave no stale entries in SKIP or RUN", () => {
    const documented = new Set(commands.map((c) => c.text));
    expect(LISTED.filter((text) => !documented.has(text))).toEqual([]);
  });

  it("root scripts run files that exist", () => {
    const missing = Object.entries(ws.rootPackage.scripts).flatMap(([name, script]) =>
      [...script.matchAll(/\b(?:node|bash|sh)\s+([\w./-]+\.(?:m?js|sh))/g)]
        .map((m) => m[1] ?? "")
        .filter((file) => !existsSync(join(root, file)))
        .map((file) => `"${name}": ${script} (no ${file})`),
    );
    expect(missing).toEqual([]);
  });

  const runnable = commands.filter(
    (c, i, all) => RUN.has(c.text) && all.findIndex((o) => o.text === c.text) === i,
  );
  it.each(runnable.map((c) => [where(c), c] as const))(
    "runs: %s",
    (_name, command) => {
      // The limit guards against a hang only: on a busy 2-core machine a command has taken over a minute here.
      const result = spawnSync("sh", ["-c", command.text], { cwd: root, encoding: "utf8", timeout: 600_000 });
      expect(
        result.status,
        `${result.stdout}\n${result.stderr}${result.error ? `\n${result.error}` : ""}`,
      ).toBe(0);
    },
    660_000,
  );
});
