/**
 * The pure core of the hello function: no Lambda, no HTTP, no I/O. It decides what to say for a greeting path and
 * a name, and words the answers for paths and methods it does not serve; the handler's router only calls it.
 */

export const MAX_NAME_LENGTH = 64;

/** The paths hello answers (with GET), and the word each greets with. */
export const GREETINGS = {
  "/hello": "Hello",
  "/goodbye": "Goodbye",
} as const;

export type GreetingPath = keyof typeof GREETINGS;

export const GREETING_PATHS = Object.keys(GREETINGS) as GreetingPath[];

export type GreetingResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly error: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** The greeting for `path`, or what is wrong with the `name` query parameter (as received; undefined when absent). */
export function greet(path: GreetingPath, name: string | undefined): GreetingResult {
  const trimmed = name?.trim() ?? "";
  if (trimmed.length === 0) {
    return { ok: false, error: `Query parameter "name" is required, for example ${path}?name=Chris.` };
  }
  const length = [...trimmed].length;
  if (length > MAX_NAME_LENGTH) {
    return {
      ok: false,
      error: `Query parameter "name" is ${length} characters long; the limit is ${MAX_NAME_LENGTH}.`,
    };
  }
  if (CONTROL_CHARACTERS.test(trimmed)) {
    return { ok: false, error: `Query parameter "name" must not contain control characters.` };
  }
  return { ok: true, message: `${GREETINGS[path]}, ${trimmed}!` };
}

/** The answer to a path hello does not serve. */
export function noRouteMessage(path: string): string {
  return `No route for ${path}. Try ${GREETING_PATHS.map((known) => `${known}?name=Chris`).join(" or ")}.`;
}

/** The answer to a method other than GET on a greeting path. */
export function methodNotAllowedMessage(path: string, method: string): string {
  return `${path} only answers GET requests, not ${method}.`;
}
