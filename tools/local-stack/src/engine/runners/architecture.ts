/**
 * What the local runners say when a function's architecture is not what they run: the host runners (ric, fallback)
 * run the bundle on this machine's processor whatever the config says, and the container runner's engine may not
 * run an image built for another one.
 */
import { type FunctionDefinition, hostArchitecture, shownFunction } from "@lambda-images/function-config";

/**
 * One line for the person running the stack when the ric or fallback runner starts a function configured for
 * another architecture than this machine's (`process.arch`: x64 is x86_64, arm64 is arm64); undefined otherwise.
 * A warning, not a failure: the bundle is JavaScript and runs the same on either.
 */
export function hostArchitectureNotice(
  definition: Pick<FunctionDefinition, "dir" | "name" | "architecture">,
  runner: string,
  nodeArch: string = process.arch,
): string | undefined {
  const host = hostArchitecture(nodeArch) ?? nodeArch;
  if (host === definition.architecture) return undefined;
  return (
    `${shownFunction(definition)} is configured for ${definition.architecture} but the ${runner} runner runs it on ` +
    `this machine's ${host} (Node.js ${nodeArch}): its JavaScript runs the same, but a native addon in it must be ` +
    `built for ${host} here and for ${definition.architecture} in its image.`
  );
}

/**
 * What `docker run` says when the kernel cannot execute the image's entry point: "exec /entry: exec format error"
 * (runc 1.1 and later), "standard_init_linux.go:228: exec user process caused: exec format error" (earlier ones).
 */
const EXEC_FORMAT_ERROR = /exec format error/i;

/**
 * Undefined unless `clientError` (the last line `docker run` wrote on stderr) is an exec format error; then why the
 * image could not run and what to install, naming the image's platform and the engine's.
 */
export function execFormatProblem(
  clientError: string | undefined,
  platforms: { readonly image: string | undefined; readonly engine: string | undefined },
): string | undefined {
  if (clientError === undefined || !EXEC_FORMAT_ERROR.test(clientError)) return undefined;
  const { image, engine } = platforms;
  const said = `the engine could not start the image's entry point (${clientError.trim()})`;
  if (image !== undefined && engine !== undefined && image !== engine) {
    return (
      `The image is ${image} but the Docker engine runs ${engine} and cannot run ${image} binaries: ${said}. ` +
      `Install emulation (Debian/Ubuntu: apt-get install qemu-user-static binfmt-support, which registers the ` +
      `binfmt handlers), or run the function with \`--runtime ric\`.`
    );
  }
  return (
    `The image is ${image ?? "of an unknown platform"}, but a binary it starts is for another processor: ${said}. ` +
    `Rebuild the image for ${engine ?? "this engine's platform"}, or install emulation for that processor ` +
    `(Debian/Ubuntu: apt-get install qemu-user-static binfmt-support).`
  );
}
