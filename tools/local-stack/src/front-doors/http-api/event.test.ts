import { describe, expect, it } from "vitest";
import {
  buildHttpApiEvent,
  type EventContext,
  formatRequestTime,
  type GatewayRequest,
  isTextContentType,
  newGatewayRequestId,
  parseQueryString,
} from "./event.js";

const context: EventContext = {
  routeKey: "GET /hello",
  pathParameters: {},
  requestId: "JKJaXmPLvHcESHA=",
  now: new Date("2020-03-12T19:03:58.123Z"),
  accountId: "012345678912",
  apiId: "local",
};

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: "GET",
    url: "/hello?name=Chris",
    protocol: "HTTP/1.1",
    rawHeaders: ["Host", "localhost:3000", "User-Agent", "curl/7.88.1", "Accept", "*/*"],
    sourceIp: "::ffff:127.0.0.1",
    body: Buffer.alloc(0),
    ...overrides,
  };
}

describe("formatRequestTime", () => {
  it("uses API Gateway's dd/Mon/yyyy:HH:mm:ss +0000 format in UTC", () => {
    expect(formatRequestTime(new Date("2020-03-12T19:03:58Z"))).toBe("12/Mar/2020:19:03:58 +0000");
    expect(formatRequestTime(new Date("2021-01-02T03:04:05Z"))).toBe("02/Jan/2021:03:04:05 +0000");
  });
});

describe("parseQueryString", () => {
  it("decodes names and values, turns + into spaces and comma-joins repeats", () => {
    expect(parseQueryString("name=Chris&tag=a&tag=b&q=caf%C3%A9+au+lait&flag")).toEqual({
      name: "Chris",
      tag: "a,b",
      q: "café au lait",
      flag: "",
    });
  });

  it("is empty for an empty query", () => {
    expect(parseQueryString("")).toEqual({});
  });
});

describe("isTextContentType", () => {
  it("treats text, JSON and XML as text and everything else as binary", () => {
    expect(isTextContentType("application/json; charset=utf-8")).toBe(true);
    expect(isTextContentType("text/plain")).toBe(true);
    expect(isTextContentType("application/vnd.api+json")).toBe(true);
    expect(isTextContentType("image/png")).toBe(false);
    expect(isTextContentType("application/octet-stream")).toBe(false);
    expect(isTextContentType("application/x-www-form-urlencoded")).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });
});

describe("newGatewayRequestId", () => {
  it("looks like API Gateway's request IDs and differs every time", () => {
    const first = newGatewayRequestId();
    expect(first).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(newGatewayRequestId()).not.toBe(first);
  });
});

describe("buildHttpApiEvent", () => {
  it("builds the payload 2.0 event of the reference for GET /hello?name=Chris", () => {
    const event = buildHttpApiEvent(request(), context);
    expect(event).toEqual({
      version: "2.0",
      routeKey: "GET /hello",
      rawPath: "/hello",
      rawQueryString: "name=Chris",
      headers: {
        host: "localhost:3000",
        "user-agent": "curl/7.88.1",
        accept: "*/*",
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-proto": "http",
        "x-forwarded-port": "3000",
        "x-amzn-trace-id": expect.stringMatching(/^Root=1-5e6a879e-[0-9a-f]{24}$/),
      },
      queryStringParameters: { name: "Chris" },
      requestContext: {
        accountId: "012345678912",
        apiId: "local",
        domainName: "localhost",
        domainPrefix: "localhost",
        http: {
          method: "GET",
          path: "/hello",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "curl/7.88.1",
        },
        requestId: "JKJaXmPLvHcESHA=",
        routeKey: "GET /hello",
        stage: "$default",
        time: "12/Mar/2020:19:03:58 +0000",
        timeEpoch: 1584039838123,
      },
      isBase64Encoded: false,
    });
  });

  it("omits the fields that have no value", () => {
    const event = buildHttpApiEvent(request({ url: "/hello", rawHeaders: [] }), context);
    expect(Object.keys(event)).toEqual([
      "version",
      "routeKey",
      "rawPath",
      "rawQueryString",
      "headers",
      "requestContext",
      "isBase64Encoded",
    ]);
    expect(event.rawQueryString).toBe("");
    expect(event.requestContext.http).not.toHaveProperty("userAgent");
    expect(event.requestContext.domainName).toBe("localhost");
  });

  it("lower-cases header names, comma-joins repeated headers and moves cookies out of the headers", () => {
    const event = buildHttpApiEvent(
      request({
        rawHeaders: [
          "X-Custom",
          "one",
          "x-custom",
          "two",
          "Cookie",
          "a=1; b=2",
          "Cookie",
          "c=3",
          "Host",
          "api.example.com",
        ],
      }),
      context,
    );
    expect(event.headers["x-custom"]).toBe("one,two");
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.cookies).toEqual(["a=1", "b=2", "c=3"]);
    expect(event.requestContext.domainName).toBe("api.example.com");
    expect(event.requestContext.domainPrefix).toBe("api");
    expect(event.headers["x-forwarded-port"]).toBe("80");
  });

  it("keeps a trace header the caller sent and appends the caller to x-forwarded-for", () => {
    const event = buildHttpApiEvent(
      request({ rawHeaders: ["X-Amzn-Trace-Id", "Root=1-abc-def", "X-Forwarded-For", "10.0.0.1"] }),
      context,
    );
    expect(event.headers["x-amzn-trace-id"]).toBe("Root=1-abc-def");
    expect(event.headers["x-forwarded-for"]).toBe("10.0.0.1, 127.0.0.1");
  });

  it("passes path parameters and the route key through", () => {
    const event = buildHttpApiEvent(request({ url: "/pets/7" }), {
      ...context,
      routeKey: "GET /pets/{id}",
      pathParameters: { id: "7" },
    });
    expect(event.pathParameters).toEqual({ id: "7" });
    expect(event.routeKey).toBe("GET /pets/{id}");
    expect(event.requestContext.routeKey).toBe("GET /pets/{id}");
  });

  it("passes a text body as is and base64-encodes a binary one", () => {
    const json = buildHttpApiEvent(
      request({
        method: "POST",
        rawHeaders: ["Content-Type", "application/json"],
        body: Buffer.from('{"a":1}'),
      }),
      context,
    );
    expect(json.body).toBe('{"a":1}');
    expect(json.isBase64Encoded).toBe(false);

    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const binary = buildHttpApiEvent(
      request({ method: "POST", rawHeaders: ["Content-Type", "image/png"], body: png }),
      context,
    );
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? "", "base64")).toEqual(png);
    expect(binary.requestContext.http.method).toBe("POST");
  });
});
