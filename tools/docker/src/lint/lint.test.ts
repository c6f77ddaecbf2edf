import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFunction, type Strategy } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { formatFinding } from "./findings.js";
import { lintTarget } from "./lint.js";
import { functionDockerfile } from "./targets.js";

interface FixtureOptions {
  readonly dockerfile: string;
  readonly strategy?: Strategy;
  /** Contents of .dockerignore; null for none. */
  readonly dockerignore?: string | null;
  /** Contents of dist/index.mjs; null for no bundle. */
  readonly bundle?: string | null;
  readonly handler?: string;
  readonly runtime?: "nodejs24.x" | "nodejs22.x";
  readonly extraFiles?: Readonly<Record<string, string>>;
}

const GOOD_BUNDLE = "export const handler = async () => ({ statusCode: 200 });\n";
const USERS = new Map<string, string | undefined>([
  ["lambda-images/node-debian-slim:24", "node"],
  ["lambda-images/node-os-only:24", undefined],
]);

/** A workspace with one function "greeter" whose Dockerfile.<strategy> is `dockerfile`; returns the findings. */
function lintFixture(options: FixtureOptions) {
  const root = mkdtempSync(join(tmpdir(), "lambda-image-lint-"));
  const dir = join(root, "functions", "greeter");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  const lambda = {
    ...(options.handler ? { handler: options.handler } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  };
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "@example/greeter", version: "1.0.0", lambda }),
  );
  const bundle = options.bundle === undefined ? GOOD_BUNDLE : options.bundle;
  if (bundle !== null) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.mjs"), bundle);
  }
  const dockerignore = options.dockerignore === undefined ? "*\n!dist/\n" : options.dockerignore;
  if (dockerignore !== null) writeFileSync(join(dir, ".dockerignore"), dockerignore);
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const fn = loadFunction(dir);
  const strategy = options.strategy ?? "aws-base";
  const dockerfile = functionDockerfile(fn, strategy);
  writeFileSync(dockerfile, options.dockerfile);
  const findings = lintTarget({ dockerfile, context: dir, strategy, fn }, { root, baseImageUsers: USERS });
  const messages = findings.map((f) => formatFinding(f, root));
  /** The messages of one rule. */
  const of = (rule: string) => messages.filter((m) => m.includes(`[${rule}]`));
  return { root, findings, messages, of };
}

const GOOD_AWS_BASE = `ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24
FROM \${BASE_IMAGE}
COPY dist/ \${LAMBDA_TASK_ROOT}/
CMD ["index.handler"]
`;

describe("lambda-image lint: the base carries the function's runtime", () => {
  it("flags a base of another Node.js major, naming the base to write", () => {
    const { of } = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("nodejs:24", "nodejs:22") });
    expect(of("runtime-defaults")).toEqual([
      expect.stringContaining(
        "ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:22 is Node.js 22, but greeter's runtime nodejs24.x is " +
          "Node.js 24: write ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24",
      ),
    ]);
  });

  it("takes the runtime from the config: nodejs22.x wants the 22 bases", () => {
    const on22 = GOOD_AWS_BASE.replace("nodejs:24", "nodejs:22");
    expect(lintFixture({ runtime: "nodejs22.x", dockerfile: on22 }).of("runtime-defaults")).toEqual([]);
    expect(lintFixture({ runtime: "nodejs22.x", dockerfile: GOOD_AWS_BASE }).of("runtime-defaults")).toEqual([
      expect.stringContaining("write ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:22"),
    ]);
  });

  it("checks a NODE_IMAGE stage too, and leaves images it cannot place alone", () => {
    const withNode = `ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24\nARG NODE_IMAGE=node:22.23.5-bookworm-slim\n${GOOD_AWS_BASE.split("\n").slice(1).join("\n")}`;
    expect(lintFixture({ dockerfile: withNode }).of("runtime-defaults")).toEqual([
      expect.stringContaining("ARG NODE_IMAGE=node:22.23.5-bookworm-slim is Node.js 22"),
    ]);
    const custom = GOOD_AWS_BASE.replace(
      "public.ecr.aws/lambda/nodejs:24",
      "registry.example.com/team/base:7",
    );
    expect(lintFixture({ dockerfile: custom }).of("runtime-defaults")).toEqual([]);
  });
});

describe("lambda-image lint: Dockerfiles that pass", () => {
  it.each<[Strategy, string]>([
    ["aws-base", GOOD_AWS_BASE],
    ["os-only", GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "lambda-images/node-os-only:24")],
    [
      "non-aws",
      GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "lambda-images/node-debian-slim:24"),
    ],
  ])("a minimal %s Dockerfile on a pinned base", (strategy, dockerfile) => {
    expect(lintFixture({ strategy, dockerfile }).messages).toEqual([]);
  });

  it("a multi-stage non-aws Dockerfile that compiles in a builder and runs as node", () => {
    const dockerfile = `ARG BASE_IMAGE=node:24.22.3-bookworm-slim
FROM \${BASE_IMAGE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake g++ make python3 \\
    && rm -rf /var/lib/apt/lists/*
FROM \${BASE_IMAGE}
COPY --from=build /opt/out /opt/out
COPY dist/ /var/task/
USER node
CMD ["index.handler"]
`;
    expect(lintFixture({ strategy: "non-aws", dockerfile }).messages).toEqual([]);
  });

  it("a base pinned by digest, and a stage built FROM an earlier stage", () => {
    const dockerfile = `FROM public.ecr.aws/lambda/nodejs@sha256:${"a".repeat(64)} AS base
FROM base
COPY dist/index.mjs /var/task/
CMD ["index.handler"]
`;
    expect(lintFixture({ dockerfile }).messages).toEqual([]);
  });
});

describe("lambda-image lint: one failing fixture per rule", () => {
  it("pinned-base: an untagged image, a latest tag, an ARG without a default", () => {
    const untagged = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("nodejs:24", "nodejs") });
    expect(untagged.of("pinned-base")).toEqual([
      expect.stringMatching(
        /^functions\/greeter\/Dockerfile\.aws-base:1: \[pinned-base\] FROM \$\{BASE_IMAGE\} \(the default of ARG BASE_IMAGE\): "public\.ecr\.aws\/lambda\/nodejs" has no tag.*Pin a version tag/,
      ),
    ]);
    const latest = lintFixture({
      dockerfile: 'FROM node:latest\nCOPY dist/ /var/task/\nCMD ["index.handler"]\n',
    });
    expect(latest.of("pinned-base")).toEqual([
      expect.stringMatching(
        /Dockerfile\.aws-base:1: \[pinned-base\] FROM node:latest: .*moving tag "latest"/,
      ),
    ]);
    const noDefault = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("=public.ecr.aws/lambda/nodejs:24", ""),
    });
    expect(noDefault.of("pinned-base")).toEqual([
      expect.stringMatching(
        /:2: \[pinned-base\] FROM \$\{BASE_IMAGE\}: ARG BASE_IMAGE has no default\. Declare it/,
      ),
    ]);
  });

  it("copy-source-exists: a missing bundle folder, a wrong path, a source left out by .dockerignore", () => {
    const missingDist = lintFixture({ dockerfile: GOOD_AWS_BASE, bundle: null });
    expect(missingDist.of("copy-source-exists")).toContain(
      "functions/greeter/Dockerfile.aws-base:3: [copy-source-exists] COPY dist/: dist does not exist in the build " +
        "context functions/greeter. Build the function first (pnpm build, which runs lambda-build) so dist exists.",
    );
    const wrongPath = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("COPY dist/", "COPY build/") });
    expect(wrongPath.of("copy-source-exists")).toEqual([
      expect.stringMatching(
        /:3: \[copy-source-exists\] COPY build\/: build does not exist .*relative to the build context/,
      ),
    ]);
    const ignored = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("COPY dist/", "COPY config.json"),
      extraFiles: { "config.json": "{}" },
    });
    expect(ignored.of("copy-source-exists")).toEqual([
      expect.stringMatching(
        /:3: \[copy-source-exists\] COPY config\.json: config\.json is left out of the build context by functions\/greeter\/\.dockerignore.*"!config\.json"/,
      ),
    ]);
  });

  it("handler-exported: no CMD, a CMD naming another handler, a bundle without the export, no bundle", () => {
    const noCmd = lintFixture({ dockerfile: GOOD_AWS_BASE.replace('CMD ["index.handler"]\n', "") });
    expect(noCmd.of("handler-exported")).toEqual([
      expect.stringMatching(/:2: \[handler-exported\] The final stage has no CMD.*CMD \["index\.handler"\]/),
    ]);
    const otherHandler = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("index.handler", "app.main") });
    expect(otherHandler.of("handler-exported")).toEqual([
      expect.stringMatching(
        /:4: \[handler-exported\] CMD names \["app\.main"\] but the function's handler is "index\.handler"/,
      ),
    ]);
    const shellForm = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace('["index.handler"]', "index.handler"),
    });
    expect(shellForm.of("handler-exported")).toEqual([
      expect.stringMatching(/:4: \[handler-exported\] CMD index\.handler is in shell form/),
    ]);
    const notExported = lintFixture({
      dockerfile: GOOD_AWS_BASE,
      bundle: "export const main = async () => 1;\n",
    });
    expect(notExported.of("handler-exported")).toEqual([
      expect.stringMatching(
        /:4: \[handler-exported\] CMD \["index\.handler"\]: the bundle functions\/greeter\/dist\/index\.mjs does not export "handler" \(it exports main\)/,
      ),
    ]);
    const renamed = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("index.handler", "index.main"),
      handler: "main",
    });
    expect(renamed.of("handler-exported")).toEqual([
      expect.stringMatching(/does not export "main" \(it exports handler\)/),
    ]);
  });

  it("non-root-user: a non-aws image on a base that runs as root, and an explicit USER root", () => {
    const onNode = lintFixture({
      strategy: "non-aws",
      dockerfile: GOOD_AWS_BASE.replace("public.ecr.aws/lambda/nodejs:24", "node:24.22.3-bookworm-slim"),
    });
    expect(onNode.of("non-root-user")).toEqual([
      expect.stringMatching(
        /Dockerfile\.non-aws:2: \[non-root-user\] The final stage runs as root .*add USER node/,
      ),
    ]);
    const asRoot = lintFixture({
      strategy: "non-aws",
      dockerfile: GOOD_AWS_BASE.replace(
        "public.ecr.aws/lambda/nodejs:24",
        "lambda-images/node-debian-slim:24",
      ).replace("CMD", "USER root\nCMD"),
    });
    expect(asRoot.of("non-root-user")).toEqual([
      expect.stringMatching(/:4: \[non-root-user\] The final stage runs as "root"/),
    ]);
  });

  it("dockerignore: a build context without .dockerignore", () => {
    const { of } = lintFixture({ dockerfile: GOOD_AWS_BASE, dockerignore: null });
    expect(of("dockerignore")).toEqual([
      expect.stringMatching(
        /Dockerfile\.aws-base:0: \[dockerignore\] The build context functions\/greeter has no \.dockerignore/,
      ),
    ]);
  });

  it("no-secrets: a CA bundle and AWS credentials in a shipped Dockerfile", () => {
    const dockerfile = GOOD_AWS_BASE.replace(
      "CMD",
      "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt\nARG AWS_SECRET_ACCESS_KEY\nCMD",
    );
    const { of } = lintFixture({
      dockerfile,
      extraFiles: { "ca-certificates.crt": "x" },
      dockerignore: "*\n!dist/\n!ca-certificates.crt\n",
    });
    expect(of("no-secrets")).toEqual([
      expect.stringMatching(/:4: \[no-secrets\] COPY carries a CA bundle \(ca-certificates\.crt\)/),
      expect.stringMatching(/:5: \[no-secrets\] ENV carries a CA bundle \(NODE_EXTRA_CA_CERTS\)/),
      expect.stringMatching(/:5: \[no-secrets\] ENV carries a CA bundle \(ca-certificates\.crt\)/),
      expect.stringMatching(
        /:6: \[no-secrets\] ARG carries AWS credentials \(AWS_SECRET_ACCESS_KEY\).*stand-in/,
      ),
    ]);
  });

  it("no-build-tools-in-final-stage: compilers installed in the final stage or in the stage it is built FROM", () => {
    const inFinal = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("CMD", "RUN dnf install -y gcc-c++ cmake && dnf clean all\nCMD"),
    });
    expect(inFinal.of("no-build-tools-in-final-stage")).toEqual([
      expect.stringMatching(
        /:4: \[no-build-tools-in-final-stage\] RUN installs gcc-c\+\+, cmake into the final image\. Build tools stay in a builder stage/,
      ),
    ]);
    const inherited = lintFixture({
      dockerfile: `FROM node:24.22.3-bookworm-slim AS build
RUN apt-get update \\
    && apt-get install -y make python3
FROM build
COPY dist/ /var/task/
CMD ["index.handler"]
`,
    });
    expect(inherited.of("no-build-tools-in-final-stage")).toEqual([
      expect.stringMatching(
        /:2: \[no-build-tools-in-final-stage\] RUN installs make, python3 .*built FROM stage "build"/,
      ),
    ]);
  });

  it("dockerfilelint: its own findings come through with file and line", () => {
    const { messages } = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("CMD", "RUN apt-get install curl\nCMD"),
    });
    expect(messages).toContainEqual(
      expect.stringMatching(/Dockerfile\.aws-base:4: \[dockerfilelint\/apt-get_missing_param\]/),
    );
  });
});
