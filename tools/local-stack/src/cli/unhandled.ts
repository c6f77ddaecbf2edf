/**
 * In `lambda-local dev` an unhandled promise rejection is a bug in the stack, not a reason to stop serving: Node's
 * default would end the process, and with it every port and every function. It is reported, with its stack, and
 * the stack keeps running. (The front doors never leave one on purpose: see src/front-doors/http-api/guard.ts.)
 */
export function reportUnhandledRejections(stderr: NodeJS.WritableStream): void {
  process.on("unhandledRejection", (reason: unknown) => {
    const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    stderr.write(
      `lambda-local: bug: an unhandled promise rejection; the stack keeps serving. Please report it:\n${detail}\n`,
    );
  });
}
