import { describe, expect, it } from "vitest";
import { mapFunctionResult } from "./response.js";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function mapped(payload: Buffer, functionError = false) {
  const result = mapFunctionResult(payload, functionError);
  return { status: result.statusCode, headers: result.headers, body: result.body.toString("utf8") };
}

describe("mapFunctionResult", () => {
  it("sends a returned string as a 200 JSON response with the string as the body (reference table)", () => {
    expect(mapped(json("Hello from Lambda!"))).toEqual({
      status: 200,
      headers: [["content-type", "application/json"]],
      body: "Hello from Lambda!",
    });
  });

  it("sends an object without statusCode as a 200 JSON body", () => {
    expect(mapped(json({ message: "Hello from Lambda!" }))).toEqual({
      status: 200,
      headers: [["content-type", "application/json"]],
      body: '{"message":"Hello from Lambda!"}',
    });
  });

  it("passes a structured response on: status, lower-cased headers, body", () => {
    expect(
      mapped(
        json({ statusCode: 201, headers: { "Content-Type": "text/plain", "X-Count": 3 }, body: "made" }),
      ),
    ).toEqual({
      status: 201,
      headers: [
        ["content-type", "text/plain"],
        ["x-count", "3"],
      ],
      body: "made",
    });
  });

  it("turns every cookie into its own set-cookie header", () => {
    const result = mapped(json({ statusCode: 200, cookies: ["a=1; Path=/", "b=2"], body: "" }));
    expect(result.headers).toEqual([
      ["set-cookie", "a=1; Path=/"],
      ["set-cookie", "b=2"],
    ]);
  });

  it("decodes a base64 body when isBase64Encoded is true", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const result = mapFunctionResult(
      json({ statusCode: 200, isBase64Encoded: true, body: png.toString("base64") }),
      false,
    );
    expect(result.body).toEqual(png);
  });

  it("leaves the framing headers to the gateway", () => {
    const result = mapped(
      json({
        statusCode: 200,
        headers: {
          "Content-Length": "99",
          "Transfer-Encoding": "chunked",
          Connection: "close",
          "x-kept": "1",
        },
        body: "ok",
      }),
    );
    expect(result).toEqual({ status: 200, headers: [["x-kept", "1"]], body: "ok" });
  });

  it("accepts Latin-1 header values and base64 bodies with line breaks", () => {
    const result = mapFunctionResult(
      json({ statusCode: 200, headers: { "x-l": "caf\u00e9" }, isBase64Encoded: true, body: "aGVs\nbG8=" }),
      false,
    );
    expect(result.headers).toEqual([["x-l", "caf\u00e9"]]);
    expect(result.body.toString()).toBe("hello");
  });

  it("sends an empty body when the structured response has none", () => {
    expect(mapped(json({ statusCode: 204 }))).toEqual({ status: 204, headers: [], body: "" });
  });

  it("answers 500 Internal Server Error for a function error", () => {
    const result = mapFunctionResult(json({ errorType: "Error", errorMessage: "boom" }), true);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body.toString("utf8"))).toEqual({ message: "Internal Server Error" });
    expect(result.problem).toContain("boom");
  });

  it.each([
    ["a response that is not JSON", Buffer.from("not json"), "not JSON"],
    ["a statusCode that is not a number", json({ statusCode: "200" }), "statusCode"],
    ["a statusCode out of range", json({ statusCode: 42 }), "statusCode"],
    ["a body that is not a string", json({ statusCode: 200, body: { a: 1 } }), "body must be a string"],
    ["headers that are not an object", json({ statusCode: 200, headers: ["a"] }), "headers"],
    ["a header value that is an object", json({ statusCode: 200, headers: { a: {} } }), 'header "a"'],
    ["cookies that are not strings", json({ statusCode: 200, cookies: [1] }), "cookies"],
    ["a 1xx statusCode, which is not a final response", json({ statusCode: 100 }), "statusCode"],
    [
      "a header value outside Latin-1",
      json({ statusCode: 200, headers: { "x-u": "\u2603" } }),
      'header "x-u"',
    ],
    ["a header name with a space", json({ statusCode: 200, headers: { "x y": "1" } }), 'header name "x y"'],
    ["a header name with a colon", json({ statusCode: 200, headers: { "x:y": "1" } }), 'header name "x:y"'],
    ["an empty header name", json({ statusCode: 200, headers: { "": "1" } }), 'header name ""'],
    ["CR/LF in a header value", json({ statusCode: 200, headers: { a: "1\r\nb: 2" } }), 'header "a"'],
    ["CR/LF in a cookie", json({ statusCode: 200, cookies: ["a=1\r\nx: y"] }), "cookie"],
    ["a cookie outside Latin-1", json({ statusCode: 200, cookies: ["a=\u2603"] }), "cookie"],
    [
      "a body marked isBase64Encoded that is not base64",
      json({ statusCode: 200, isBase64Encoded: true, body: "not base64!" }),
      "not valid base64",
    ],
  ])("answers 500 for %s", (_case, payload, problem) => {
    const result = mapFunctionResult(payload, false);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body.toString("utf8"))).toEqual({ message: "Internal Server Error" });
    expect(result.problem).toContain(problem);
  });
});
