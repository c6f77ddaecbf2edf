/**
 * The three thumbnail images, built with the real Docker engine and run the way Lambda runs them: each container's
 * runtime polls a Runtime API on 127.0.0.1 for the checked-in events and posts the answers. This is where sharp's
 * native code meets each image's C library. Without an engine the suite is skipped, loudly; with CI=true it fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { announceSkip, dockerAvailability, IN_CI, imageBuilderForTests } from "@lambda-images/docker/testing";
import {
  type FunctionImageRecord,
  findWorkspaceRoot,
  loadFunction,
  STRATEGIES,
} from "@lambda-images/function-config";
import { createFunctionHost } from "@lambda-images/local-stack";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";

const availability = await dockerAvailability();
const engineProblem = availability.available ? undefined : availability.reason;
if (engineProblem && !IN_CI) announceSkip(engineProblem);

interface Reply {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

describe.runIf(engineProblem !== undefined && IN_CI)("thumbnail images in CI", () => {
  it("needs a Docker engine", () => {
    throw new Error(`CI=true but no Docker engine answers (${engineProblem}): start one before the tests.`);
  });
});

describe.runIf(engineProblem === undefined)("thumbnail images, built and run with the Docker engine", () => {
  const root = findWorkspaceRoot();
  // These cases are about the answers, not the timeout: Lambda's longest, so a slow start on a busy machine cannot
  // turn an answer into Sandbox.Timedout.
  const fn = { ...loadFunction(new URL("..", import.meta.url).pathname), timeout: 900 };
  const built = new Map<string, FunctionImageRecord>();
  const event = (file: string) => readFileSync(join(fn.dir, "events", file), "utf8");

  beforeAll(async () => {
    if (!existsSync(fn.bundle)) throw new Error(`${fn.bundle} is missing: run pnpm build first`);
    const builder = await imageBuilderForTests(root);
    for (const strategy of STRATEGIES) built.set(strategy, await builder.buildFunctionImage(fn, strategy));
  }, 30 * 60_000);

  it.each(STRATEGIES)(
    "thumbnail:%s resizes with its own sharp and libvips, and refuses a non-image",
    async (strategy) => {
      const record = built.get(strategy);
      if (!record) throw new Error(`thumbnail:${strategy} was not built`);
      // The local stack's container runner: the real Runtime API, the image on the host network.
      const logs: string[] = [];
      const host = createFunctionHost(fn, {
        runner: "container",
        image: record.imageId,
        maxInstances: 1,
        logSink: (line) => logs.push(line),
      });
      const invoke = async (file: string) => {
        const outcome = await host.invoke({ payload: Buffer.from(event(file)) });
        expect(outcome.kind, logs.join("\n")).toBe("response");
        return outcome.kind === "response" ? outcome.payload.toString() : "";
      };
      try {
        const reply = JSON.parse(await invoke("png-to-webp.json")) as Reply;
        expect(reply).toMatchObject({ statusCode: 200, isBase64Encoded: true });
        expect(reply.headers["content-type"]).toBe("image/webp");
        const { format, width, height } = await sharp(Buffer.from(reply.body, "base64")).metadata();
        expect({ format, width, height }).toEqual({ format: "webp", width: 160, height: 120 });

        const refused = JSON.parse(await invoke("not-an-image.json")) as Reply;
        expect(refused.statusCode).toBe(400);
        expect(JSON.parse(refused.body)).toEqual({
          message:
            "The body is not an image this function can read (jpeg, png, webp, gif, avif, heif, tiff).",
        });
      } finally {
        await host.close();
      }
    },
    120_000,
  );
});
