import { UsageError } from "@lambda-images/cli";
import { describe, expect, it } from "vitest";
import { parseEmulatorArgs } from "./args.js";

describe("the emulator's command line", () => {
  it("defaults to RIE's 0.0.0.0:8080, one instance, and the default bootstrap", () => {
    expect(parseEmulatorArgs([])).toEqual({
      port: 8080,
      host: "0.0.0.0",
      maxInstances: 1,
      logLevel: "info",
      command: [],
      help: false,
    });
  });

  it("takes everything from the first non-option on as the runtime's command, as aws-lambda-rie does", () => {
    expect(parseEmulatorArgs(["/var/runtime/bootstrap"]).command).toEqual(["/var/runtime/bootstrap"]);
    expect(
      parseEmulatorArgs([
        "--port",
        "9001",
        "/usr/local/bin/npx",
        "aws-lambda-ric",
        "--flag",
        "index.handler",
      ]),
    ).toMatchObject({
      port: 9001,
      command: ["/usr/local/bin/npx", "aws-lambda-ric", "--flag", "index.handler"],
    });
    expect(parseEmulatorArgs(["--", "--odd-name"]).command).toEqual(["--odd-name"]);
  });

  it("accepts RIE's flags", () => {
    expect(
      parseEmulatorArgs([
        "--log-level",
        "DEBUG",
        "--runtime-interface-emulator-address=127.0.0.1:9100",
        "--enable-init-caching",
        "--runtime-api-address",
        "127.0.0.1:9001",
        "/var/runtime/bootstrap",
      ]),
    ).toEqual({
      port: 9100,
      host: "127.0.0.1",
      maxInstances: 1,
      logLevel: "debug",
      command: ["/var/runtime/bootstrap"],
      help: false,
    });
    expect(parseEmulatorArgs(["--runtime-interface-emulator-address", ":8081"])).toMatchObject({
      host: "0.0.0.0",
      port: 8081,
    });
  });

  it("says what is wrong", () => {
    expect(() => parseEmulatorArgs(["--port", "70000"])).toThrow(
      /--port must be a whole number from 0 to 65535/,
    );
    expect(() => parseEmulatorArgs(["--max-instances", "0"])).toThrow(/from 1 to 64/);
    expect(() => parseEmulatorArgs(["--verbose"])).toThrow(/Unknown option "--verbose".*put -- before it/);
    expect(() => parseEmulatorArgs(["--port"])).toThrow(UsageError);
    expect(() => parseEmulatorArgs(["--runtime-interface-emulator-address", "8080"])).toThrow(/HOST:PORT/);
  });
});
