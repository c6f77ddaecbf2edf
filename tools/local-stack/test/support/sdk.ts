/** Helpers for tests that drive the Invoke API with the real @aws-sdk/client-lambda. */

/** A JSON payload as the SDK's `Payload` bytes. */
export const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** The SDK's `Payload` bytes parsed as JSON (untyped, as the tests read whatever the function answered). */
export const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

/** The error an SDK call rejects with; fails the test when the call succeeds. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}
