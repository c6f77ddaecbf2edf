import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { functionConfigSchema } from "@lambda-images/function-config";
import { afterAll, describe, expect, it } from "vitest";
import { emulatedFunction, RIE_DEFAULTS } from "./definition.js";

const dir = mkdtempSync(join(tmpdir(), "emulated-"));
const bootstrap = join(dir, "bootstrap");
writeFileSync(bootstrap, "#!/bin/sh\n");
chmodSync(bootstrap, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the emulated function", () => {
  it("has RIE's defaults, and the config schema's for what RIE has no word for", () => {
    const { definition, command, runtimeDir } = emulatedFunction(
      { _HANDLER: "index.handler" },
      [bootstrap],
      dir,
    );
    const schemaDefaults = functionConfigSchema.parse({});
    expect(definition).toMatchObject({
      name: "function",
      memorySize: 3008,
      timeout: 300,
      lambdaHandler: "index.handler",
      handlerExport: "handler",
      distDir: "/var/task",
      strategy: schemaDefaults.strategy,
      architecture: schemaDefaults.architecture,
      routes: [],
    });
    expect(definition.environment).toEqual({});
    expect(command).toEqual({ file: bootstrap, args: [], cwd: dir });
    expect(runtimeDir).toBe(RIE_DEFAULTS.runtimeDir);
  });

  it("reads the container's variables; every unreserved one is the function's", () => {
    const { definition, runtimeDir } = emulatedFunction(
      {
        AWS_LAMBDA_FUNCTION_NAME: "hello",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
        AWS_LAMBDA_FUNCTION_TIMEOUT: "5",
        AWS_LAMBDA_FUNCTION_HANDLER: "app.main",
        _HANDLER: "index.handler",
        LAMBDA_TASK_ROOT: "/srv/task",
        LAMBDA_RUNTIME_DIR: "/srv/runtime",
        POWERTOOLS_SERVICE_NAME: "hello",
        PATH: "/usr/bin",
        TZ: ":/etc/localtime",
      },
      [bootstrap],
      dir,
    );
    expect(definition).toMatchObject({
      name: "hello",
      memorySize: 256,
      timeout: 5,
      lambdaHandler: "app.main",
      handlerExport: "main",
      distDir: "/srv/task",
    });
    // As RIE passes them all; the reserved ones and TZ (Lambda runs in UTC) come from the engine instead.
    expect(definition.environment).toEqual({
      AWS_LAMBDA_FUNCTION_HANDLER: "app.main",
      AWS_LAMBDA_FUNCTION_TIMEOUT: "5",
      POWERTOOLS_SERVICE_NAME: "hello",
      PATH: "/usr/bin",
    });
    expect(runtimeDir).toBe("/srv/runtime");
  });

  it("takes the handler from the last argument only when nothing in the environment names one", () => {
    expect(emulatedFunction({}, [bootstrap, "index.handler"], dir).definition.lambdaHandler).toBe(
      "index.handler",
    );
    expect(
      emulatedFunction({ _HANDLER: "a.b" }, [bootstrap, "index.handler"], dir).definition.lambdaHandler,
    ).toBe("a.b");
    expect(() => emulatedFunction({}, [bootstrap], dir)).toThrow(/No handler/);
  });

  it("finds a bare program name on PATH, and says when it is not there", () => {
    expect(emulatedFunction({ PATH: dir, _HANDLER: "i.h" }, ["bootstrap"], "/").command.file).toBe(bootstrap);
    expect(() => emulatedFunction({ PATH: dir, _HANDLER: "i.h" }, ["nope"], "/")).toThrow(
      /"nope" is not on PATH/,
    );
  });

  it("refuses settings Lambda would refuse, naming the variable", () => {
    expect(() =>
      emulatedFunction({ _HANDLER: "i.h", AWS_LAMBDA_FUNCTION_TIMEOUT: "1.5" }, [bootstrap], dir),
    ).toThrow(/AWS_LAMBDA_FUNCTION_TIMEOUT must be a whole number of seconds, not "1.5"/);
    expect(() =>
      emulatedFunction({ _HANDLER: "i.h", AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "64" }, [bootstrap], dir),
    ).toThrow(/AWS_LAMBDA_FUNCTION_MEMORY_SIZE=64: /);
  });
});
