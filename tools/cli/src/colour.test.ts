import { describe, expect, it } from "vitest";
import { colourEnabled, colours } from "./colour.js";

const terminal = { isTTY: true, hasColors: () => true };
const pipe = {};

describe("colour", () => {
  it("follows the terminal: colour on a terminal with colours, plain text in a pipe or on a dumb terminal", () => {
    expect(colourEnabled(terminal, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled({ isTTY: true, hasColors: () => false }, {})).toBe(false);
  });

  it("NO_COLOR turns it off everywhere; FORCE_COLOR turns it on, also in a pipe (FORCE_COLOR=0 off)", () => {
    expect(colourEnabled(terminal, { NO_COLOR: "1" })).toBe(false);
    expect(colourEnabled(terminal, { NO_COLOR: "" })).toBe(true);
    expect(colourEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourEnabled(terminal, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourEnabled(pipe, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });

  it("wraps text in ANSI codes only when enabled", () => {
    expect(colours(terminal, {}).red("failed")).toBe("\x1b[31mfailed\x1b[39m");
    expect(colours(pipe, {}).red("failed")).toBe("failed");
    expect(colours(terminal, { NO_COLOR: "1" }).bold("x")).toBe("x");
  });
});
