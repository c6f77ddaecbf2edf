/**
 * The last-resort guard every front door puts around its answer to a request, so that nothing a caller sends or a
 * function returns can end the process: a failure while answering still ends that request, and is logged.
 */
import type { ServerResponse } from "node:http";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `answer`, which answers the request and resolves with its log summary. If it fails, the request is ended
 * with `fallback` (which sends the front door's own error and returns its summary) when no header has been sent
 * yet, or else by destroying the connection: the only way left to tell the client its answer was cut short.
 * Resolves with the summary and, after a failure, why; never rejects.
 */
export async function guardRequest(
  response: ServerResponse,
  answer: () => Promise<string>,
  fallback: (response: ServerResponse, error: unknown) => string,
): Promise<string> {
  try {
    return await answer();
  } catch (error) {
    // Whatever of the request body is still unread is dropped, so the answer can reach the caller.
    response.req?.resume();
    if (!response.headersSent && !response.destroyed) {
      try {
        // A writeHead that threw may have kept its status message and some of the headers it was given.
        response.statusMessage = "";
        for (const name of response.getHeaderNames()) response.removeHeader(name);
        return `${fallback(response, error)} (${describe(error)})`;
      } catch (fallbackError) {
        response.destroy();
        return `connection closed (${describe(error)}; then ${describe(fallbackError)})`;
      }
    }
    response.destroy();
    return `connection closed after the headers were sent (${describe(error)})`;
  }
}
