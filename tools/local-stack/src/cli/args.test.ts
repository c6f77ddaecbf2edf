import { UsageError } from "@lambda-images/cli";
import { describe, expect, it } from "vitest";
import { parseCommand } from "./args.js";

describe("parseCommand", () => {
  it("gives dev its defaults", () => {
    expect(parseCommand(["dev"])).toEqual({
      command: "dev",
      invokePort: 9000,
      httpPort: 3000,
      functionUrlPort: 3001,
      bindAddress: "127.0.0.1",
      runner: "ric",
      maxInstances: undefined,
      defaultFunction: undefined,
      watch: true,
    });
  });

  it("reads every dev option", () => {
    expect(
      parseCommand([
        "dev",
        "--port",
        "9100",
        "--http-port=3100",
        "--url-port",
        "3200",
        "--host",
        "0.0.0.0",
        "--runtime",
        "fallback",
        "--max-instances",
        "2",
        "--default-function",
        "orders",
        "--no-watch",
      ]),
    ).toEqual({
      command: "dev",
      invokePort: 9100,
      httpPort: 3100,
      functionUrlPort: 3200,
      bindAddress: "0.0.0.0",
      runner: "fallback",
      maxInstances: 2,
      defaultFunction: "orders",
      watch: false,
    });
  });

  it("reads invoke with an event file, stdin or nothing", () => {
    expect(parseCommand(["invoke", "hello", "--event", "events/a.json"])).toEqual({
      command: "invoke",
      functionName: "hello",
      event: "events/a.json",
      runner: "ric",
    });
    expect(parseCommand(["invoke", "hello", "--event", "-"])).toMatchObject({ event: "-" });
    expect(parseCommand(["invoke", "hello", "--runtime", "container"])).toMatchObject({
      event: undefined,
      runner: "container",
    });
  });

  it("reads invoke --replay-dead-letters, which takes no --event", () => {
    expect(parseCommand(["invoke", "orders", "--replay-dead-letters"])).toEqual({
      command: "invoke",
      functionName: "orders",
      event: undefined,
      runner: "ric",
      replayDeadLetters: true,
    });
    expect(() => parseCommand(["invoke", "orders", "--replay-dead-letters", "--event", "a.json"])).toThrow(
      "--replay-dead-letters sends the recorded events, so it takes no --event",
    );
  });

  it("takes --runner as another name for --runtime", () => {
    expect(parseCommand(["dev", "--runner", "fallback"])).toMatchObject({ runner: "fallback" });
    expect(parseCommand(["invoke", "hello", "--runner", "fallback"])).toMatchObject({ runner: "fallback" });
    expect(() => parseCommand(["dev", "--runner", "ric", "--runtime", "fallback"])).toThrow("disagree");
  });

  it("shows help for no command, help, --help and -h", () => {
    for (const argv of [[], ["help"], ["--help"], ["-h"]])
      expect(parseCommand(argv)).toEqual({ command: "help" });
  });

  it("shows help for --help and -h after a command, whatever else is given", () => {
    for (const argv of [
      ["dev", "--help"],
      ["dev", "-h", "--port", "1"],
      ["invoke", "--help"],
      ["invoke", "hello", "-h"],
    ])
      expect(parseCommand(argv)).toEqual({ command: "help" });
  });

  it.each([
    [["serve"], 'Unknown command "serve"'],
    [["dev", "--port", "abc"], '--port must be a whole number from 0 to 65535, not "abc"'],
    [["dev", "--port", "70000"], "--port must be a whole number from 0 to 65535"],
    [["dev", "--max-instances", "0"], "--max-instances must be a whole number from 1 to 64"],
    [["dev", "--runtime", "docker"], '--runtime must be one of ric, fallback, container, not "docker"'],
    [["dev", "--colour"], "Unknown option '--colour'"],
    [["dev", "extra"], 'dev takes no arguments, got "extra"'],
    [["invoke"], "invoke needs the name of a function"],
    [["invoke", "a", "b"], 'invoke takes one function name, got "a b"'],
  ])("rejects %j with a message that says what was wrong", (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
    // One line, then the hint: not the whole usage.
    expect(() => parseCommand(argv)).toThrow(/^[^\n]+$/);
  });

  it("takes --strategy for the container runtime only", () => {
    expect(
      parseCommand(["invoke", "hello", "--runtime", "container", "--strategy", "non-aws"]),
    ).toMatchObject({
      runner: "container",
      strategy: "non-aws",
    });
    expect(parseCommand(["dev", "--runner", "container", "--strategy=os-only"])).toMatchObject({
      runner: "container",
      strategy: "os-only",
    });
    expect(() => parseCommand(["invoke", "hello", "--strategy", "os-only"])).toThrow(
      /add --runtime container/,
    );
    expect(() => parseCommand(["dev", "--runtime", "container", "--strategy", "alpine"])).toThrow(
      /--strategy must be one of aws-base, os-only, non-aws, not "alpine"/,
    );
  });

  it("reads --inspect[=FUNCTION] and --inspect-port for dev, --inspect for invoke", () => {
    expect(parseCommand(["dev", "--inspect"])).toMatchObject({
      inspect: { functionName: undefined, basePort: 9229 },
    });
    expect(parseCommand(["dev", "--inspect=hello", "--inspect-port", "9300"])).toMatchObject({
      inspect: { functionName: "hello", basePort: 9300 },
    });
    expect(parseCommand(["dev"])).toMatchObject({ inspect: undefined });
    expect(parseCommand(["invoke", "hello", "--inspect"])).toMatchObject({
      inspect: { functionName: undefined, basePort: 9229 },
    });
    expect(parseCommand(["invoke", "hello"])).not.toHaveProperty("inspect");
    expect(() => parseCommand(["dev", "--inspect-port", "9300"])).toThrow(/add --inspect/);
    expect(() => parseCommand(["dev", "--inspect", "--runtime", "container"])).toThrow(
      /--runtime ric or fallback/,
    );
  });
});
