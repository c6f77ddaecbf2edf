/**
 * Every generated event, by an oracle this project did not write: it must parse with the matching Powertools
 * parser schema, with the defaults and with options. Then the values the options set, md5OfBody, and determinism.
 */
import { createHash } from "node:crypto";
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
import { describe, expect, it } from "vitest";
import {
  createContext,
  dynamoDBStreamEvent,
  encodeS3Key,
  eventBridgeEvent,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  S3_EVENT_NAMES,
  s3Event,
  scheduledEvent,
  snsEvent,
  sqsEvent,
  toAttributeValue,
} from "./index.js";

const ctx = (region = "eu-west-1") => createContext({ region, seed: "test" });
const ARN = /^arn:aws:[a-z0-9-]+:eu-west-1:123456789012:/;

const HTTP_OPTIONS = {
  method: "post",
  path: "/orders/42?expand=items",
  query: [
    ["tag", "a"],
    ["tag", "b"],
  ] as const,
  headers: [
    ["Content-Type", "application/json"],
    ["X-Request-Source", "test"],
    ["x-multi", "1"],
    ["x-multi", "2"],
    ["Cookie", "session=abc; theme=dark"],
  ] as const,
  body: '{"quantity":2}',
};

describe("HTTP API (payload format 2.0)", () => {
  it("parses with APIGatewayProxyEventV2Schema with the defaults", () => {
    const event = APIGatewayProxyEventV2Schema.parse(httpApiEvent(ctx()));
    expect(event.routeKey).toBe("GET /");
    expect(event.rawPath).toBe("/");
    expect(event.body).toBeUndefined();
    expect(event.requestContext.accountId).toBe("123456789012");
    expect(event.requestContext.domainName).toMatch(/^[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
    expect(event.requestContext.timeEpoch).toBe(
      Date.parse(new Date(event.requestContext.timeEpoch).toISOString()),
    );
  });

  it("parses with method, path, query, headers, cookies and body, and carries them as API Gateway does", () => {
    const event = APIGatewayProxyEventV2Schema.parse(httpApiEvent(ctx(), HTTP_OPTIONS));
    expect(event.routeKey).toBe("POST /orders/42");
    expect(event.requestContext.http.method).toBe("POST");
    expect(event.rawQueryString).toBe("expand=items&tag=a&tag=b");
    expect(event.queryStringParameters).toEqual({ expand: "items", tag: "a,b" });
    expect(event.headers).toMatchObject({
      "content-type": "application/json",
      "x-request-source": "test",
      "x-multi": "1,2",
      "content-length": "14",
    });
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.cookies).toEqual(["session=abc", "theme=dark"]);
    expect(event.body).toBe('{"quantity":2}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it("base64-encodes a binary body with --base64", () => {
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const event = APIGatewayProxyEventV2Schema.parse(
      httpApiEvent(ctx(), { method: "PUT", body: bytes, base64: true }),
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? "", "base64")).toEqual(Buffer.from(bytes));
    expect(event.headers?.["content-length"]).toBe("6");
    expect(event.headers?.["content-type"]).toBe("application/octet-stream");
  });
});

describe("REST API (payload format 1.0)", () => {
  it("parses with APIGatewayProxyEventSchema with the defaults", () => {
    const event = APIGatewayProxyEventSchema.parse(restApiEvent(ctx()));
    expect(event.httpMethod).toBe("GET");
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.requestContext.stage).toBe("prod");
  });

  it("parses with options, with the multiValue fields holding every value", () => {
    const event = APIGatewayProxyEventSchema.parse(restApiEvent(ctx(), HTTP_OPTIONS));
    expect(event.httpMethod).toBe("POST");
    expect(event.path).toBe("/orders/42");
    expect(event.requestContext.path).toBe("/prod/orders/42");
    expect(event.queryStringParameters).toEqual({ expand: "items", tag: "b" });
    expect(event.multiValueQueryStringParameters).toEqual({ expand: ["items"], tag: ["a", "b"] });
    expect(event.headers).toMatchObject({ "Content-Type": "application/json", Host: expect.any(String) });
    expect(event.multiValueHeaders).toMatchObject({ "x-multi": ["1", "2"] });
    expect(event.body).toBe('{"quantity":2}');
  });
});

describe("Function URL", () => {
  it("parses with LambdaFunctionUrlSchema with the defaults and with options", () => {
    const plain = LambdaFunctionUrlSchema.parse(functionUrlEvent(ctx()));
    expect(plain.routeKey).toBe("$default");
    expect(plain.requestContext.domainName).toMatch(/^[a-z0-9]{32}\.lambda-url\.eu-west-1\.on\.aws$/);
    const event = LambdaFunctionUrlSchema.parse(functionUrlEvent(ctx(), HTTP_OPTIONS));
    expect(event.requestContext.http.method).toBe("POST");
    expect(event.rawPath).toBe("/orders/42");
    expect(event.body).toBe('{"quantity":2}');
  });
});

describe("SQS", () => {
  it("parses with SqsSchema with the default body, and md5OfBody is the MD5 of the body", () => {
    const { Records } = SqsSchema.parse(sqsEvent(ctx()));
    expect(Records).toHaveLength(1);
    const [record] = Records;
    expect(record?.md5OfBody).toBe(
      createHash("md5")
        .update(record?.body ?? "")
        .digest("hex"),
    );
    expect(record?.eventSourceARN).toBe("arn:aws:sqs:eu-west-1:123456789012:my-queue");
  });

  it("makes one record per body, each with its own MD5 (over UTF-8) and message ID, sent in order", () => {
    const bodies = ['{"id":1}', "plain text", "héllo ✓"];
    const { Records } = SqsSchema.parse(sqsEvent(ctx(), { bodies, queue: "orders" }));
    expect(Records.map((r) => r.body)).toEqual(bodies);
    // Worked out independently of this package: `printf '<body>' | md5sum`.
    expect(Records.map((r) => r.md5OfBody)).toEqual([
      "d2ce28b9a7fd7e4407e2b0fd499b7fe4",
      "31bc5c2b8fd4f20cd747347b7504a385",
      "21b1ae5bc147bb564254200a4731e337",
    ]);
    expect(new Set(Records.map((r) => r.messageId)).size).toBe(3);
    const sent = Records.map((r) => Number(r.attributes.SentTimestamp));
    expect([...sent].sort()).toEqual(sent);
    expect(Records[0]?.eventSourceARN).toBe("arn:aws:sqs:eu-west-1:123456789012:orders");
  });
});

describe("SNS", () => {
  it("parses with SnsSchema with the defaults and with options", () => {
    const plain = SnsSchema.parse(snsEvent(ctx()));
    expect(plain.Records[0]?.Sns.TopicArn).toBe("arn:aws:sns:eu-west-1:123456789012:my-topic");
    const event = SnsSchema.parse(snsEvent(ctx(), { message: '{"a":1}', subject: "Hi", topic: "alerts" }));
    const sns = event.Records[0]?.Sns;
    expect(sns?.Message).toBe('{"a":1}');
    expect(sns?.Subject).toBe("Hi");
    expect(event.Records[0]?.EventSubscriptionArn).toMatch(
      /^arn:aws:sns:eu-west-1:123456789012:alerts:[0-9a-f-]{36}$/,
    );
  });
});

describe("S3", () => {
  it("parses with S3Schema with the defaults", () => {
    const record = S3Schema.parse(s3Event(ctx())).Records[0];
    expect(record?.eventName).toBe("ObjectCreated:Put");
    expect(record?.s3.object).toMatchObject({ key: "uploads/photo.jpg", size: 1024 });
    expect(record?.s3.bucket.arn).toBe("arn:aws:s3:::my-bucket");
  });

  it("parses with bucket, key and every event name; keys are URL-encoded; deletions carry no size or eTag", () => {
    for (const eventName of S3_EVENT_NAMES) {
      const record = S3Schema.parse(
        s3Event(ctx(), { bucket: "photos", key: "2026/my photo+1.jpg", eventName: `s3:${eventName}` }),
      ).Records[0];
      expect(record?.eventName).toBe(eventName);
      expect(record?.s3.object.key).toBe("2026/my+photo%2B1.jpg");
      if (eventName.startsWith("ObjectRemoved")) expect(record?.s3.object).not.toHaveProperty("size");
    }
    expect(encodeS3Key("a b/ü.txt")).toBe("a+b/%C3%BC.txt");
    expect(() => s3Event(ctx(), { eventName: "ObjectCreated:Nope" })).toThrow(/unknown S3 event name/);
  });
});

describe("EventBridge", () => {
  it("parses with EventBridgeSchema with the defaults and with source, detail-type and detail", () => {
    EventBridgeSchema.parse(eventBridgeEvent(ctx()));
    const event = EventBridgeSchema.parse(
      eventBridgeEvent(ctx(), {
        source: "my.app",
        detailType: "Thing Happened",
        detail: { n: 1, nested: { a: [1] } },
      }),
    );
    expect(event.source).toBe("my.app");
    expect(event["detail-type"]).toBe("Thing Happened");
    expect(event.detail).toEqual({ n: 1, nested: { a: [1] } });
    expect(event.account).toBe("123456789012");
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("makes a scheduled event that parses with EventBridgeSchema: aws.events, on the minute, the rule as resource", () => {
    const event = EventBridgeSchema.parse(scheduledEvent(ctx(), { rule: "nightly" }));
    expect(event.source).toBe("aws.events");
    expect(event["detail-type"]).toBe("Scheduled Event");
    expect(event.resources).toEqual(["arn:aws:events:eu-west-1:123456789012:rule/nightly"]);
    expect(event.time).toMatch(/:00Z$/);
    expect(event.detail).toEqual({});
  });
});

describe("DynamoDB streams", () => {
  it("parses with DynamoDBStreamSchema with the defaults: an INSERT of the default item", () => {
    const record = DynamoDBStreamSchema.parse(dynamoDBStreamEvent(ctx())).Records[0];
    expect(record?.eventName).toBe("INSERT");
    expect(record?.dynamodb.Keys).toEqual({ id: "101" });
    expect(record?.dynamodb.NewImage).toEqual({ id: "101", message: "New item!" });
    expect(record?.eventSourceARN).toMatch(ARN);
  });

  it("converts plain JSON to AttributeValues that Powertools unmarshalls back to the same JSON", () => {
    const newImage = {
      name: "Ada",
      visits: 3,
      ratio: 0.5,
      admin: true,
      gone: null,
      tags: ["a", 1],
      address: { city: "London" },
    };
    const raw = dynamoDBStreamEvent(ctx(), {
      keys: { pk: "user#7", sk: 1 },
      newImage,
      oldImage: { visits: 2 },
      eventName: "MODIFY",
    });
    const change = (raw.Records as Array<{ dynamodb: Record<string, unknown> }>)[0]?.dynamodb ?? {};
    expect(change.Keys).toEqual({ pk: { S: "user#7" }, sk: { N: "1" } });
    expect((change.NewImage as Record<string, unknown>).address).toEqual({ M: { city: { S: "London" } } });
    const record = DynamoDBStreamSchema.parse(raw).Records[0];
    expect(record?.dynamodb.Keys).toEqual({ pk: "user#7", sk: 1 });
    expect(record?.dynamodb.NewImage).toEqual({ ...newImage, pk: "user#7", sk: 1 });
    expect(record?.dynamodb.OldImage).toEqual({ visits: 2, pk: "user#7", sk: 1 });
  });

  it("makes a REMOVE record with only the old image", () => {
    const record = DynamoDBStreamSchema.parse(dynamoDBStreamEvent(ctx(), { eventName: "REMOVE" })).Records[0];
    expect(record?.dynamodb.NewImage).toBeUndefined();
    expect(record?.dynamodb.OldImage).toEqual({ id: "101", message: "Old item!" });
    expect(toAttributeValue([true, "x"])).toEqual({ L: [{ BOOL: true }, { S: "x" }] });
  });
});

describe("the context", () => {
  it("gives the same event for the same seed, and another for another seed", () => {
    const a = JSON.stringify(sqsEvent(createContext({ seed: "1" })));
    expect(JSON.stringify(sqsEvent(createContext({ seed: "1" })))).toBe(a);
    expect(JSON.stringify(sqsEvent(createContext({ seed: "2" })))).not.toBe(a);
  });

  it("uses the current time and fresh IDs without a seed, us-east-1 by default", () => {
    const before = Date.now();
    const event = EventBridgeSchema.parse(eventBridgeEvent(createContext()));
    expect(event.region).toBe("us-east-1");
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(eventBridgeEvent(createContext()).id).not.toBe(event.id);
  });
});
