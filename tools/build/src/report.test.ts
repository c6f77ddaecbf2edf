import { afterAll, describe, expect, it } from "vitest";
import { createFunction, removeFixtures } from "../test/support/fixture.js";
import { buildFunction, formatBytes, formatReport } from "./index.js";
import { displayInputPath } from "./report.js";

afterAll(removeFixtures);

describe("size report", () => {
  it("names dependencies by package path, whatever the package manager's layout", () => {
    expect(
      displayInputPath(
        "../../node_modules/.pnpm/@aws-lambda-powertools+logger@2.36.0/node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js",
      ),
    ).toBe("@aws-lambda-powertools/logger/lib/esm/Logger.js");
    expect(displayInputPath("src/index.ts")).toBe("src/index.ts");
  });

  it("formats bytes exactly, with KiB from 1024 up", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(24_879)).toBe("24,879 B (24.3 KiB)");
  });

  it("lists the largest inputs first, with their share of the bundle", async () => {
    const filler = (name: string, size: number) =>
      `export const ${name} = ${JSON.stringify("x".repeat(size))};\n`;
    const fn = createFunction("report", {
      files: {
        "src/big.ts": filler("big", 3000),
        "src/small.ts": filler("small", 100),
        "src/medium.ts": filler("medium", 1000),
        "src/index.ts": [
          'import { big } from "./big.js";',
          'import { medium } from "./medium.js";',
          'import { small } from "./small.js";',
          "export const handler = async () => big + medium + small;",
        ].join("\n"),
      },
    });
    const report = await buildFunction(fn);
    expect(report.inputs.map((input) => input.path)).toEqual([
      "src/big.ts",
      "src/medium.ts",
      "src/small.ts",
      "src/index.ts",
    ]);
    const text = formatReport(report, { dir: fn.dir, topInputs: 2 });
    expect(text).toContain("top 2 of 4 inputs:");
    expect(text).toMatch(/ {2}3,\d{3} B +\d+\.\d% {2}src\/big\.ts\n/);
    expect(text).not.toContain("src/small.ts");
  });
});
