/**
 * `lambda-event <source> [options]` (`pnpm event` in this repository): prints a sample event as JSON on stdout, or
 * writes it to a file inside the workspace with --out. A usage error is one line and a hint on stderr, exit 2.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { reportError, UsageError } from "@lambda-images/cli";
import { createContext, type EventContext } from "./context.js";
import { dynamoDBStreamEvent, type StreamEventName } from "./dynamodb.js";
import { eventBridgeEvent, scheduledEvent } from "./eventbridge.js";
import { functionUrlEvent, type HttpOptions, httpApiEvent, restApiEvent } from "./http.js";
import { snsEvent, sqsEvent } from "./messaging.js";
import { S3_EVENT_NAMES, s3Event, s3EventName } from "./s3.js";

export interface Io {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const OPTIONS = {
  method: { type: "string" },
  path: { type: "string" },
  query: { type: "string", multiple: true },
  header: { type: "string", multiple: true },
  body: { type: "string", multiple: true },
  base64: { type: "boolean" },
  queue: { type: "string" },
  message: { type: "string" },
  subject: { type: "string" },
  topic: { type: "string" },
  bucket: { type: "string" },
  key: { type: "string" },
  "event-name": { type: "string" },
  size: { type: "string" },
  source: { type: "string" },
  "detail-type": { type: "string" },
  detail: { type: "string" },
  resource: { type: "string", multiple: true },
  rule: { type: "string" },
  keys: { type: "string" },
  "new-image": { type: "string" },
  "old-image": { type: "string" },
  table: { type: "string" },
  region: { type: "string" },
  seed: { type: "string" },
  time: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parse>["values"];
const parse = (args: string[]) => parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });

const HTTP_OPTIONS = ["method", "path", "query", "header", "body", "base64"] as const;

interface Source {
  summary: string;
  options: readonly (keyof typeof OPTIONS)[];
  generate: (ctx: EventContext, values: Values, io: Io) => Record<string, unknown>;
}

const SOURCES: Record<string, Source> = {
  http: {
    summary: "API Gateway HTTP API request (payload format 2.0)",
    options: HTTP_OPTIONS,
    generate: (ctx, v, io) => httpApiEvent(ctx, httpOptions(v, io)),
  },
  rest: {
    summary: "API Gateway REST API request (payload format 1.0, with the multiValue fields)",
    options: HTTP_OPTIONS,
    generate: (ctx, v, io) => restApiEvent(ctx, httpOptions(v, io)),
  },
  "function-url": {
    summary: "Lambda Function URL request (payload format 2.0)",
    options: HTTP_OPTIONS,
    generate: (ctx, v, io) => functionUrlEvent(ctx, httpOptions(v, io)),
  },
  sqs: {
    summary: "SQS batch: one record per --body, each with its md5OfBody",
    options: ["body", "queue"],
    generate: (ctx, v) => sqsEvent(ctx, { bodies: v.body, queue: v.queue }),
  },
  sns: {
    summary: "SNS notification",
    options: ["message", "subject", "topic"],
    generate: (ctx, v) => snsEvent(ctx, { message: v.message, subject: v.subject, topic: v.topic }),
  },
  s3: {
    summary: "S3 event notification",
    options: ["bucket", "key", "event-name", "size"],
    generate: (ctx, v) => {
      const eventName = v["event-name"];
      if (eventName !== undefined && s3EventName(eventName) === undefined)
        throw new UsageError(
          `--event-name ${eventName}: not an S3 event (${S3_EVENT_NAMES.slice(0, 4).join(", ")}, ...)`,
        );
      return s3Event(ctx, { bucket: v.bucket, key: v.key, eventName, size: integer("--size", v.size) });
    },
  },
  eventbridge: {
    summary: "EventBridge event on a bus",
    options: ["source", "detail-type", "detail", "resource"],
    generate: (ctx, v) =>
      eventBridgeEvent(ctx, {
        source: v.source,
        detailType: v["detail-type"],
        detail: v.detail === undefined ? undefined : jsonObject("--detail", v.detail),
        resources: v.resource,
      }),
  },
  schedule: {
    summary: 'EventBridge schedule rule\'s "Scheduled Event"',
    options: ["rule"],
    generate: (ctx, v) => scheduledEvent(ctx, { rule: v.rule }),
  },
  dynamodb: {
    summary: "DynamoDB stream record (NEW_AND_OLD_IMAGES)",
    options: ["keys", "new-image", "old-image", "event-name", "table"],
    generate: (ctx, v) => {
      const eventName = v["event-name"] ?? "INSERT";
      if (!["INSERT", "MODIFY", "REMOVE"].includes(eventName))
        throw new UsageError(
          `--event-name ${eventName}: a DynamoDB stream record is INSERT, MODIFY or REMOVE`,
        );
      const newImage = v["new-image"] === undefined ? undefined : jsonObject("--new-image", v["new-image"]);
      const oldImage = v["old-image"] === undefined ? undefined : jsonObject("--old-image", v["old-image"]);
      if (eventName === "REMOVE" && newImage)
        throw new UsageError("--new-image: a REMOVE record has no new image");
      if (eventName === "INSERT" && oldImage)
        throw new UsageError("--old-image: an INSERT record has no old image");
      return dynamoDBStreamEvent(ctx, {
        eventName: eventName as StreamEventName,
        keys: v.keys === undefined ? undefined : jsonObject("--keys", v.keys),
        newImage,
        oldImage,
        table: v.table,
      });
    },
  },
};

const COMMON = ["region", "seed", "time", "out", "force", "help"] as const;

export const HELP = `Usage: pnpm event <source> [options]     (lambda-event outside this repository)

Prints a complete sample event for a Lambda function as JSON, like \`sam local generate-event\`.

Sources:
${Object.entries(SOURCES)
  .map(([name, s]) => `  ${name.padEnd(14)}${s.summary}`)
  .join("\n")}

HTTP (http, rest, function-url):
  --method METHOD         GET unless given
  --path PATH             "/" unless given; may carry a query: "/hello?name=Ada"
  --query NAME=VALUE      a query parameter (repeatable)
  --header "NAME: VALUE"  a request header, also NAME=VALUE (repeatable); cookie headers become 2.0's "cookies"
  --body TEXT|@FILE       the request body, or a file's bytes
  --base64                send the body base64-encoded (isBase64Encoded: true), as for binary media
sqs:
  --body TEXT|@FILE       a message body; repeat it for several records (md5OfBody is each body's MD5)
  --queue NAME            my-queue unless given
sns:
  --message TEXT  --subject TEXT  --topic NAME
s3:
  --bucket NAME  --key KEY  --size BYTES
  --event-name NAME       ObjectCreated:Put unless given (ObjectRemoved:Delete, ObjectCreated:Copy, ...)
eventbridge:
  --source SOURCE  --detail-type TYPE  --resource ARN (repeatable)
  --detail JSON           the event's detail, a JSON object
schedule:
  --rule NAME             the schedule rule's name
dynamodb:
  --keys JSON             the key attributes as plain JSON, {"id":"101"} unless given
  --new-image JSON        the item after the change, plain JSON (sent as DynamoDB AttributeValues)
  --old-image JSON        the item before the change (MODIFY, REMOVE)
  --event-name NAME       INSERT (default), MODIFY or REMOVE
  --table NAME            my-table unless given

Every source:
  --region REGION         from AWS_REGION, or us-east-1 (the account is always 123456789012)
  --seed TEXT             the same IDs and time on every run (for fixtures and tests)
  --time ISO-8601         when the event happened (now, or a fixed time with --seed)
  --out FILE              write the event to FILE (inside the workspace) instead of stdout
  --force                 let --out replace an existing file
  -h, --help              this help

Examples:
  pnpm event http --path /hello --query name=Ada
  pnpm event http --path /hello --query name=Ada | pnpm invoke hello --event -
  pnpm event sqs --body '{"id":1}' --body '{"id":2}'
  pnpm event dynamodb --keys '{"id":"7"}' --new-image '{"name":"Ada","visits":3}'
`;

function httpOptions(v: Values, io: Io): HttpOptions {
  if ((v.body?.length ?? 0) > 1)
    throw new UsageError("--body: an HTTP request has one body (repeat it for sqs)");
  if (v.method !== undefined && !/^[A-Za-z]+$/.test(v.method))
    throw new UsageError(`--method ${v.method}: not an HTTP method`);
  const query = (v.query ?? []).map((q) => pair("--query", q, "="));
  const headers = (v.header ?? []).map((h) => pair("--header", h, h.includes(":") ? ":" : "="));
  const body = v.body?.[0];
  return {
    method: v.method,
    path: v.path,
    query,
    headers,
    body: body === undefined ? undefined : readBody(body, io),
    base64: v.base64,
  };
}

function readBody(body: string, io: Io): string | Buffer {
  if (!body.startsWith("@")) return body;
  const file = resolve(io.cwd, body.slice(1));
  if (!existsSync(file)) throw new UsageError(`--body ${body}: no file ${body.slice(1)}`);
  return readFileSync(file);
}

function pair(option: string, text: string, separator: string): readonly [string, string] {
  const at = text.indexOf(separator);
  if (at <= 0) throw new UsageError(`${option} ${text}: expected NAME${separator === ":" ? ": " : "="}VALUE`);
  return [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

function jsonObject(option: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${option}: not JSON: ${text}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError(`${option}: expected a JSON object, got ${text}`);
  return value as Record<string, unknown>;
}

function integer(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} ${text}: expected a whole number`);
  return Number(text);
}

/** The folder holding pnpm-workspace.yaml above `dir`, or `dir` itself when there is none. */
function workspaceRoot(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "pnpm-workspace.yaml"))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** Where --out writes: inside the workspace, in a folder that exists or whose parent does (functions/<fn>/events). */
function outPath(out: string, io: Io, force: boolean): string {
  const root = workspaceRoot(io.cwd);
  const file = resolve(io.cwd, out);
  const inside = relative(root, file);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
    throw new UsageError(`--out ${out}: outside the workspace (${root})`);
  const folder = dirname(file);
  if (!existsSync(dirname(folder)))
    throw new UsageError(`--out ${out}: ${relative(io.cwd, dirname(folder)) || "."} does not exist`);
  if (existsSync(file) && !force)
    throw new UsageError(`--out ${out}: the file exists (add --force to replace it)`);
  return file;
}

/** Runs the command; returns the exit code (0, 1 when writing fails, 2 on a usage error). */
export function run(argv: string[], io: Io): number {
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      throw new UsageError((error as Error).message.split("\n")[0]);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const [name, ...extra] = positionals;
    if (name === undefined) throw new UsageError(`which source? (${Object.keys(SOURCES).join(", ")})`);
    const source = SOURCES[name];
    if (source === undefined)
      throw new UsageError(`unknown source "${name}" (${Object.keys(SOURCES).join(", ")})`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const allowed = new Set<string>([...source.options, ...COMMON]);
    const stray = Object.keys(values).find((option) => !allowed.has(option));
    if (stray !== undefined) throw new UsageError(`--${stray} is not an option of ${name}`);

    let now: Date | undefined;
    if (values.time !== undefined) {
      now = new Date(values.time);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--time ${values.time}: not an ISO 8601 time`);
    }
    const region = values.region ?? (io.env.AWS_REGION || undefined);
    if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
      throw new UsageError(`--region ${region}: not an AWS region (like us-east-1)`);
    const out = values.out === undefined ? undefined : outPath(values.out, io, values.force === true);
    const ctx = createContext({ region, seed: values.seed, now });
    const json = `${JSON.stringify(source.generate(ctx, values, io), null, 2)}\n`;
    if (out === undefined) {
      io.stdout(json);
    } else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, json);
      io.stderr(`lambda-event: wrote ${relative(io.cwd, out)}\n`);
    }
    return 0;
  } catch (error) {
    return reportError("lambda-event", error, io.stderr, { helpCommand: "pnpm event --help" });
  }
}
