/**
 * Colour for a command's output, the way most command lines decide it: never when NO_COLOR is set (no-color.org),
 * always when FORCE_COLOR is set to anything but 0, otherwise only on a terminal that has colours (a pipe, a file
 * or TERM=dumb get plain text).
 */
import { styleText } from "node:util";

export interface Colours {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** What colours() needs of a stream: a terminal has isTTY and hasColors(). */
export interface OutputStream {
  readonly isTTY?: boolean;
  hasColors?(): boolean;
}

export function colourEnabled(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  return stream.isTTY === true && (stream.hasColors?.() ?? false);
}

export function colours(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): Colours {
  const enabled = colourEnabled(stream, env);
  const style =
    (format: Parameters<typeof styleText>[0]) =>
    (text: string): string =>
      enabled ? styleText(format, text, { validateStream: false }) : text;
  return {
    enabled,
    bold: style("bold"),
    dim: style("dim"),
    red: style("red"),
    green: style("green"),
    yellow: style("yellow"),
    cyan: style("cyan"),
  };
}

/** No colour at all: for output that is not a terminal's, and for tests. */
export const PLAIN: Colours = colours({}, { NO_COLOR: "1" });
