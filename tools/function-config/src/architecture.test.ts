import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { throwawayFunction } from "../test/throwaway-function.js";
import { architectureMismatch, architecturePlatform, hostArchitecture, shownFunction } from "./index.js";

describe("architectures and platforms", () => {
  it("builds x86_64 for linux/amd64 and arm64 for linux/arm64", () => {
    expect(architecturePlatform("x86_64")).toBe("linux/amd64");
    expect(architecturePlatform("arm64")).toBe("linux/arm64");
  });

  it("names this machine's architecture as the config does", () => {
    expect(hostArchitecture("x64")).toBe("x86_64");
    expect(hostArchitecture("arm64")).toBe("arm64");
    expect(hostArchitecture("ia32")).toBeUndefined();
    expect(hostArchitecture()).toBe(process.arch === "x64" ? "x86_64" : process.arch);
  });

  it("says which is which when an image is for another platform than the config's", () => {
    const fn = throwawayFunction("hello", { architecture: "arm64" });
    expect(shownFunction(fn)).toBe(join("functions", "hello"));
    const image = { described: "its recorded image hello:os-only-3f9c0a1b2c4d", platform: "linux/amd64" };
    expect(architectureMismatch(fn, image, "rebuild with `lambda-image build`")).toBe(
      `${join("functions", "hello")} is configured for arm64 (linux/arm64) but its recorded image ` +
        "hello:os-only-3f9c0a1b2c4d is linux/amd64; rebuild with `lambda-image build`",
    );
    expect(architectureMismatch(fn, { ...image, platform: "linux/arm64" }, "")).toBeUndefined();
    const x86 = throwawayFunction("plain", {});
    expect(architectureMismatch(x86, image, "")).toBeUndefined();
    expect(architectureMismatch(x86, { ...image, platform: "linux/arm64" }, "")).toMatch(
      /is configured for x86_64 \(linux\/amd64\) but .* is linux\/arm64; $/,
    );
  });
});
