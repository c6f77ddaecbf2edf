/**
 * The command: options reach the generators, usage errors are one line and a hint (exit 2), --out writes inside the
 * workspace only, and the bin as `pnpm event` pipes into `pnpm invoke`.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  APIGatewayProxyEventSchema,
  APIGatewayProxyEventV2Schema,
  DynamoDBStreamSchema,
  EventBridgeSchema,
  LambdaFunctionUrlSchema,
  S3Schema,
  SnsSchema,
  SqsSchema,
} from "@aws-lambda-powertools/parser/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { HELP, type Io, run } from "./cli.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = join(packageDir, "..", "..");

function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  };
  const code = run(args, io);
  return { code, stdout, stderr };
}

const json = (args: string[], env?: Record<string, string>) => {
  const result = cli(args, env ? { env } : {});
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

describe("lambda-event <source>", () => {
  it("prints an event every Powertools schema accepts, for every source, with the defaults", () => {
    APIGatewayProxyEventV2Schema.parse(json(["http"]));
    APIGatewayProxyEventSchema.parse(json(["rest"]));
    LambdaFunctionUrlSchema.parse(json(["function-url"]));
    SqsSchema.parse(json(["sqs"]));
    SnsSchema.parse(json(["sns"]));
    S3Schema.parse(json(["s3"]));
    EventBridgeSchema.parse(json(["eventbridge"]));
    expect(EventBridgeSchema.parse(json(["schedule"]))["detail-type"]).toBe("Scheduled Event");
    DynamoDBStreamSchema.parse(json(["dynamodb"]));
  });

  it("passes the HTTP options through: method, path, repeated --query and --header, body", () => {
    const event = APIGatewayProxyEventV2Schema.parse(
      json([
        "http",
        "--method",
        "POST",
        "--path",
        "/orders",
        "--query",
        "a=1",
        "--query",
        "b=x y",
        "--header",
        "X-Api-Key: secret",
        "--header",
        "accept=application/json",
        "--body",
        '{"id":1}',
      ]),
    );
    expect(event.routeKey).toBe("POST /orders");
    expect(event.rawQueryString).toBe("a=1&b=x+y");
    expect(event.queryStringParameters).toEqual({ a: "1", b: "x y" });
    expect(event.headers).toMatchObject({ "x-api-key": "secret", accept: "application/json" });
    expect(event.body).toBe('{"id":1}');
  });

  it("reads a binary body from a file with --body @FILE --base64", () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-event-"));
    try {
      const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
      writeFileSync(join(dir, "photo.jpg"), bytes);
      const result = cli(["rest", "--method", "PUT", "--body", "@photo.jpg", "--base64"], { cwd: dir });
      const event = APIGatewayProxyEventSchema.parse(JSON.parse(result.stdout));
      expect(event.isBase64Encoded).toBe(true);
      expect(Buffer.from(event.body ?? "", "base64")).toEqual(bytes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes one SQS record per --body with the right md5OfBody", () => {
    const { Records } = SqsSchema.parse(
      json(["sqs", "--body", '{"id":1}', "--body", "plain text", "--queue", "q1"]),
    );
    expect(Records.map((r) => [r.body, r.md5OfBody])).toEqual([
      ['{"id":1}', "d2ce28b9a7fd7e4407e2b0fd499b7fe4"],
      ["plain text", "31bc5c2b8fd4f20cd747347b7504a385"],
    ]);
    expect(Records[0]?.eventSourceARN).toBe("arn:aws:sqs:us-east-1:123456789012:q1");
  });

  it("passes the S3, SNS, EventBridge, schedule and DynamoDB options through", () => {
    const s3 = S3Schema.parse(
      json(["s3", "--bucket", "b1", "--key", "in/a b.png", "--event-name", "ObjectRemoved:Delete"]),
    ).Records[0];
    expect(s3?.s3).toMatchObject({ bucket: { name: "b1" }, object: { key: "in/a+b.png" } });
    expect(s3?.eventName).toBe("ObjectRemoved:Delete");
    const sns = SnsSchema.parse(json(["sns", "--message", "m", "--subject", "s", "--topic", "t"])).Records[0]
      ?.Sns;
    expect([sns?.Message, sns?.Subject, sns?.TopicArn]).toEqual([
      "m",
      "s",
      "arn:aws:sns:us-east-1:123456789012:t",
    ]);
    const eb = EventBridgeSchema.parse(
      json(["eventbridge", "--source", "my.app", "--detail-type", "Paid", "--detail", '{"orderId":"7"}']),
    );
    expect([eb.source, eb["detail-type"], eb.detail]).toEqual(["my.app", "Paid", { orderId: "7" }]);
    const rule = EventBridgeSchema.parse(json(["schedule", "--rule", "hourly"]));
    expect(rule.resources).toEqual(["arn:aws:events:us-east-1:123456789012:rule/hourly"]);
    const ddb = DynamoDBStreamSchema.parse(
      json([
        "dynamodb",
        "--keys",
        '{"id":"7"}',
        "--new-image",
        '{"name":"Ada","visits":3}',
        "--table",
        "users",
      ]),
    ).Records[0];
    expect(ddb?.dynamodb.NewImage).toEqual({ id: "7", name: "Ada", visits: 3 });
    expect(ddb?.eventSourceARN).toMatch(/^arn:aws:dynamodb:us-east-1:123456789012:table\/users\/stream\//);
  });

  it("takes the region from --region, else AWS_REGION, else us-east-1", () => {
    expect(json(["eventbridge"]).region).toBe("us-east-1");
    expect(json(["eventbridge"], { AWS_REGION: "eu-central-1" }).region).toBe("eu-central-1");
    expect(json(["eventbridge", "--region", "ap-southeast-2"], { AWS_REGION: "eu-central-1" }).region).toBe(
      "ap-southeast-2",
    );
  });

  it("prints the same event for the same --seed, and takes --time", () => {
    const first = cli(["sqs", "--seed", "fixture"]).stdout;
    expect(cli(["sqs", "--seed", "fixture"]).stdout).toBe(first);
    expect(cli(["sqs", "--seed", "other"]).stdout).not.toBe(first);
    expect(json(["eventbridge", "--time", "2026-03-01T10:20:30Z"]).time).toBe("2026-03-01T10:20:30Z");
  });

  it("--help lists every source and option and exits 0", () => {
    const result = cli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(HELP);
    for (const source of [
      "http",
      "rest",
      "function-url",
      "sqs",
      "sns",
      "s3",
      "eventbridge",
      "schedule",
      "dynamodb",
    ])
      expect(HELP).toMatch(new RegExp(`^  ${source} `, "m"));
    for (const option of [
      "--method",
      "--query",
      "--header",
      "--base64",
      "--detail-type",
      "--new-image",
      "--out",
      "--force",
      "--seed",
      "--region",
    ])
      expect(HELP).toContain(option);
  });

  it.each([
    [[], /which source\?/],
    [["kinesis"], /unknown source "kinesis"/],
    [["sqs", "--bogus"], /Unknown option '--bogus'/],
    [["sqs", "--method", "GET"], /--method is not an option of sqs/],
    [["http", "--query", "novalue"], /--query novalue: expected NAME=VALUE/],
    [["http", "--body", "a", "--body", "b"], /one body/],
    [["eventbridge", "--detail", "{oops"], /--detail: not JSON/],
    [["dynamodb", "--new-image", "[1]"], /expected a JSON object/],
    [["dynamodb", "--event-name", "UPSERT"], /INSERT, MODIFY or REMOVE/],
    [["s3", "--event-name", "ObjectCreated:Nope"], /not an S3 event/],
    [["sqs", "--region", "mars"], /not an AWS region/],
    [["sqs", "--time", "yesterday"], /not an ISO 8601 time/],
    [["http", "extra"], /unexpected argument "extra"/],
  ])("%j is a usage error: one line and a hint, exit 2", (args, message) => {
    const result = cli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^lambda-event: /);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toBe("Run pnpm event --help for usage.");
  });
});

describe("--out", () => {
  let workspace: string;
  const makeWorkspace = () => {
    workspace = mkdtempSync(join(tmpdir(), "lambda-event-ws-"));
    writeFileSync(join(workspace, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
    mkdirSync(join(workspace, "functions", "hello"), { recursive: true });
    return workspace;
  };
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it("writes the event to functions/<fn>/events/, creating events/, as a fixture a function's test loads", () => {
    const cwd = makeWorkspace();
    const result = cli(
      ["http", "--path", "/hello", "--query", "name=Ada", "--out", "functions/hello/events/x.json"],
      {
        cwd,
      },
    );
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(result.stderr).toBe("lambda-event: wrote functions/hello/events/x.json\n");
    // As functions' tests load their fixtures (loadEvent: JSON.parse of the file).
    const fixture = JSON.parse(readFileSync(join(cwd, "functions/hello/events/x.json"), "utf8"));
    const event = APIGatewayProxyEventV2Schema.parse(fixture);
    expect(event.queryStringParameters).toEqual({ name: "Ada" });
  });

  it("refuses to replace a file without --force, and replaces it with --force", () => {
    const cwd = makeWorkspace();
    const out = ["--out", "functions/hello/events/x.json"];
    expect(cli(["sqs", ...out], { cwd }).code).toBe(0);
    const refused = cli(["sqs", "--body", "new", ...out], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/the file exists \(add --force to replace it\)/);
    expect(
      JSON.parse(readFileSync(join(cwd, "functions/hello/events/x.json"), "utf8")).Records[0].body,
    ).not.toBe("new");
    expect(cli(["sqs", "--body", "new", ...out, "--force"], { cwd }).code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, "functions/hello/events/x.json"), "utf8")).Records[0].body).toBe(
      "new",
    );
  });

  it("creates nothing outside the workspace, nor a folder for a function that does not exist", () => {
    const cwd = makeWorkspace();
    const outside = cli(["sqs", "--out", "../elsewhere.json"], { cwd });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/outside the workspace/);
    expect(existsSync(join(dirname(cwd), "elsewhere.json"))).toBe(false);
    const typo = cli(["sqs", "--out", "functions/helo/events/x.json"], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/functions\/helo does not exist/);
    expect(existsSync(join(cwd, "functions", "helo"))).toBe(false);
  });

  it("the README's fixture is what its documented command writes (the command reproduces it byte for byte)", () => {
    const fixture = join(repoRoot, "functions/hello/events/generated-hello-ada.json");
    const result = cli(["http", "--path", "/hello", "--query", "name=Ada", "--seed", "readme"]);
    expect(result.stdout).toBe(readFileSync(fixture, "utf8"));
    APIGatewayProxyEventV2Schema.parse(JSON.parse(result.stdout));
  });
});

// Real pnpm processes that may build the tools first: on a busy 2-core machine that has taken 90 s. The limits are a
// guard against a hang, not a measure of speed; nothing here asserts how long anything took.
describe("pnpm event (the bin, from the repository root)", { timeout: 660_000 }, () => {
  const sh = (command: string) =>
    spawnSync("sh", ["-c", command], { cwd: repoRoot, encoding: "utf8", timeout: 600_000 });

  it("prints no pnpm banner, so its stdout is the event alone", () => {
    const result = sh("pnpm event schedule --seed s");
    expect(result.status, result.stderr).toBe(0);
    expect(EventBridgeSchema.parse(JSON.parse(result.stdout)).source).toBe("aws.events");
  });

  it("exits 2 on a usage error and 0 on --help", () => {
    expect(sh("pnpm event nope").status).toBe(2);
    expect(sh("pnpm event --help").status).toBe(0);
  });

  it("pipes into pnpm invoke: hello answers the generated HTTP event with 200 Hello, Ada!", () => {
    // A workspace of one function answering as an HTTP API function does, with both bins linked where pnpm install
    // links them, so no example function of this repository is built for the test.
    const workspace = mkdtempSync(join(tmpdir(), "lambda-event-pipe-"));
    try {
      writeFileSync(join(workspace, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
      writeFileSync(
        join(workspace, "package.json"),
        JSON.stringify({ name: "test-workspace", private: true }),
      );
      const fn = join(workspace, "functions", "hello");
      mkdirSync(join(fn, "src"), { recursive: true });
      writeFileSync(
        join(fn, "package.json"),
        JSON.stringify({ name: "@test/hello", version: "1.0.0", type: "module", lambda: { name: "hello" } }),
      );
      writeFileSync(
        join(fn, "src", "index.ts"),
        "export const handler = async (event: { version?: string; queryStringParameters?: { name?: string } }) =>\n" +
          "  event.version === '2.0' && event.queryStringParameters?.name\n" +
          "    ? { statusCode: 200, body: JSON.stringify({ message: 'Hello, ' + event.queryStringParameters.name + '!' }) }\n" +
          "    : { statusCode: 400, body: JSON.stringify({ message: 'which name?' }) };\n",
      );
      const bin = join(workspace, "node_modules", ".bin");
      mkdirSync(bin, { recursive: true });
      symlinkSync(join(packageDir, "bin", "lambda-event.js"), join(bin, "event"));
      symlinkSync(join(repoRoot, "tools", "local-stack", "bin", "invoke.js"), join(bin, "invoke"));
      const result = spawnSync(
        "sh",
        ["-c", "pnpm event http --path /hello --query name=Ada | pnpm invoke hello --event -"],
        { cwd: workspace, encoding: "utf8", timeout: 600_000 },
      );
      expect(result.status, result.stderr).toBe(0);
      const reply = JSON.parse(result.stdout) as { statusCode: number; body: string };
      expect(reply.statusCode).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ message: "Hello, Ada!" });
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
