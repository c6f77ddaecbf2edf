/**
 * The pure core of the hello function: no Lambda, no I/O. It decides what to answer for a method, a path and
 * a name; the handler only translates between API Gateway events and this.
 */

export const MAX_NAME_LENGTH = 64;

const GREETINGS: Readonly<Record<string, string>> = {
  "/hello": "Hello",
  "/goodbye": "Goodbye",
};

export interface GreetingRequest {
  readonly method: string;
  readonly path: string;
  /** The `name` query parameter as received (undefined when absent). */
  readonly name: string | undefined;
}

export type GreetingResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function greet({ method, path, name }: GreetingRequest): GreetingResult {
  const greeting = GREETINGS[path];
  if (greeting === undefined) {
    return {
      ok: false,
      status: 404,
      error: `No route for ${path}. Try /hello?name=Chris or /goodbye?name=Chris.`,
    };
  }
  if (method !== "GET") {
    return { ok: false, status: 400, error: `${path} only answers GET requests, not ${method}.` };
  }
  const trimmed = name?.trim() ?? "";
  if (trimmed.length === 0) {
    return {
      ok: false,
      status: 400,
      error: `Query parameter "name" is required, for example ${path}?name=Chris.`,
    };
  }
  const length = [...trimmed].length;
  if (length > MAX_NAME_LENGTH) {
    return {
      ok: false,
      status: 400,
      error: `Query parameter "name" is ${length} characters long; the limit is ${MAX_NAME_LENGTH}.`,
    };
  }
  if (CONTROL_CHARACTERS.test(trimmed)) {
    return { ok: false, status: 400, error: `Query parameter "name" must not contain control characters.` };
  }
  return { ok: true, message: `${greeting}, ${trimmed}!` };
}
