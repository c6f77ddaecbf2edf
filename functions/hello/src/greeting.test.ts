import { describe, expect, it } from "vitest";
import {
  GREETING_PATHS,
  type GreetingPath,
  type GreetingResult,
  greet,
  MAX_NAME_LENGTH,
  methodNotAllowedMessage,
  noRouteMessage,
} from "./greeting.js";

const get = (path: GreetingPath, name: string | undefined): GreetingResult => greet(path, name);

function failure(result: GreetingResult): { status: number; error: string } {
  if (result.ok) throw new Error(`expected a failure, got "${result.message}"`);
  return { status: 400, error: result.error };
}

describe("greet", () => {
  it("says hello and goodbye", () => {
    expect(get("/hello", "Chris")).toEqual({ ok: true, message: "Hello, Chris!" });
    expect(get("/goodbye", "Chris")).toEqual({ ok: true, message: "Goodbye, Chris!" });
  });

  it("trims surrounding whitespace from the name", () => {
    expect(get("/hello", "  Ada Lovelace \t")).toEqual({ ok: true, message: "Hello, Ada Lovelace!" });
  });

  it("keeps names in any script", () => {
    expect(get("/hello", "Zoë")).toEqual({ ok: true, message: "Hello, Zoë!" });
    expect(get("/goodbye", "李雷")).toEqual({ ok: true, message: "Goodbye, 李雷!" });
  });

  it("asks for a name when it is missing, empty or blank", () => {
    for (const name of [undefined, "", "   "]) {
      expect(failure(get("/hello", name))).toEqual({
        status: 400,
        error: 'Query parameter "name" is required, for example /hello?name=Chris.',
      });
    }
    expect(failure(get("/goodbye", undefined)).error).toContain("/goodbye?name=Chris");
  });

  it(`accepts ${MAX_NAME_LENGTH} characters and refuses ${MAX_NAME_LENGTH + 1}`, () => {
    expect(MAX_NAME_LENGTH).toBe(64);
    expect(get("/hello", "a".repeat(64))).toEqual({ ok: true, message: `Hello, ${"a".repeat(64)}!` });
    expect(failure(get("/hello", "a".repeat(65)))).toEqual({
      status: 400,
      error: 'Query parameter "name" is 65 characters long; the limit is 64.',
    });
  });

  it("counts characters by code point, so an emoji counts once", () => {
    const emoji = "😀";
    expect(emoji.length).toBe(2);
    expect(get("/hello", emoji.repeat(64)).ok).toBe(true);
    expect(failure(get("/hello", emoji.repeat(65))).error).toContain("is 65 characters long");
  });

  it("measures the trimmed name", () => {
    expect(get("/hello", ` ${"b".repeat(64)} `).ok).toBe(true);
  });

  it("refuses control characters inside the name", () => {
    for (const name of ["Chr\u0000is", "Chris\nSmith", "Chris\u001b[31m", "Del\u007f"]) {
      expect(failure(get("/hello", name))).toEqual({
        status: 400,
        error: 'Query parameter "name" must not contain control characters.',
      });
    }
  });

  it("serves exactly /hello and /goodbye", () => {
    expect(GREETING_PATHS).toEqual(["/hello", "/goodbye"]);
  });

  it("words the answer to an unknown path, naming the routes there are", () => {
    expect(noRouteMessage("/hola")).toBe("No route for /hola. Try /hello?name=Chris or /goodbye?name=Chris.");
  });

  it("words the answer to a method other than GET", () => {
    expect(methodNotAllowedMessage("/hello", "POST")).toBe("/hello only answers GET requests, not POST.");
  });
});
