import { describe, expect, it } from "vitest";
import { GOOD_AWS_BASE, lintFixture } from "../../../test/support/lint-fixture.js";

describe("lambda-image lint: handler-exported", () => {
  it("no CMD, a CMD naming another handler, a bundle without the export, no bundle", () => {
    const noCmd = lintFixture({ dockerfile: GOOD_AWS_BASE.replace('CMD ["index.handler"]\n', "") });
    expect(noCmd.of("handler-exported")).toEqual([
      expect.stringMatching(/:2: \[handler-exported\] The final stage has no CMD.*CMD \["index\.handler"\]/),
    ]);
    const otherHandler = lintFixture({ dockerfile: GOOD_AWS_BASE.replace("index.handler", "app.main") });
    expect(otherHandler.of("handler-exported")).toEqual([
      expect.stringMatching(
        /:4: \[handler-exported\] CMD names \["app\.main"\] but the function's handler is "index\.handler"/,
      ),
    ]);
    const shellForm = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace('["index.handler"]', "index.handler"),
    });
    expect(shellForm.of("handler-exported")).toEqual([
      expect.stringMatching(/:4: \[handler-exported\] CMD index\.handler is in shell form/),
    ]);
    const notExported = lintFixture({
      dockerfile: GOOD_AWS_BASE,
      bundle: "export const main = async () => 1;\n",
    });
    expect(notExported.of("handler-exported")).toEqual([
      expect.stringMatching(
        /:4: \[handler-exported\] CMD \["index\.handler"\]: the bundle functions\/greeter\/dist\/index\.mjs does not export "handler" \(it exports main\)/,
      ),
    ]);
    const renamed = lintFixture({
      dockerfile: GOOD_AWS_BASE.replace("index.handler", "index.main"),
      handler: "main",
    });
    expect(renamed.of("handler-exported")).toEqual([
      expect.stringMatching(/does not export "main" \(it exports handler\)/),
    ]);
  });
});
