/**
 * The ELF programs and libraries inside an image, by the architecture they were built for. A binary for the other
 * architecture (a native addon prebuilt for the build machine, a copied emulator) runs nowhere in Lambda, and an
 * image's platform field does not reveal it: the image tests check every file.
 *
 * The scan runs inside the image on its own Node.js (`node -`, the script on stdin), reading the first 20 bytes of
 * each regular file outside /proc, /sys and /dev. Symbolic links are not followed (their targets are scanned where
 * they are). No export of the image's layers, no tool the image may lack.
 */
import { dockerOk } from "@lambda-images/docker-cli";
import type { Architecture } from "@lambda-images/function-config";

/** ELF `e_machine` values of Lambda's two architectures. */
export const ELF_MACHINES: Readonly<Record<number, Architecture>> = { 62: "x86_64", 183: "arm64" };

/**
 * The scanner, for `node - [folder]` (CommonJS, Node.js built-ins only): prints a JSON array of [path, e_machine]
 * for every ELF file under the folder (default /).
 */
export const ELF_SCANNER = `
const fs = require("node:fs");
const path = require("node:path");
const root = process.argv[2] || "/";
const skipped = new Set(["/proc", "/sys", "/dev"]);
const header = Buffer.alloc(20);
const found = [];
function visit(dir) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) { if (!skipped.has(file)) visit(file); continue; }
    if (!entry.isFile()) continue;
    let fd;
    try { fd = fs.openSync(file, "r"); } catch { continue; }
    try {
      if (fs.readSync(fd, header, 0, 20, 0) < 20 || header.readUInt32BE(0) !== 0x7f454c46) continue;
      // EI_DATA (byte 5): 1 little-endian, 2 big-endian; e_machine is the 16-bit field at offset 18.
      found.push([file, header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18)]);
    } finally {
      fs.closeSync(fd);
    }
  }
}
visit(root);
process.stdout.write(JSON.stringify(found));
`;

export interface BinaryScan {
  /** ELF files per architecture; a machine that is neither shows as `e_machine N`. */
  readonly counts: Readonly<Record<string, number>>;
  /** `path (architecture)` of each ELF file that is not for the architecture asked for. */
  readonly foreign: readonly string[];
}

/** Sorts the scanner's [path, e_machine] pairs into what is for `architecture` and what is not. */
export function classifyBinaries(
  found: readonly (readonly [string, number])[],
  architecture: Architecture,
): BinaryScan {
  const counts: Record<string, number> = {};
  const foreign: string[] = [];
  for (const [file, machine] of found) {
    const name = ELF_MACHINES[machine] ?? `e_machine ${machine}`;
    counts[name] = (counts[name] ?? 0) + 1;
    if (name !== architecture) foreign.push(`${file} (${name})`);
  }
  return { counts, foreign };
}

/** Scans `image` (a tag or id) with its own `node`, and classifies what it holds against `architecture`. */
export async function scanImageBinaries(image: string, architecture: Architecture): Promise<BinaryScan> {
  const stdout = await dockerOk(
    ["run", "--rm", "-i", "--network", "none", "--entrypoint", "node", image, "-"],
    {
      input: ELF_SCANNER,
    },
  );
  return classifyBinaries(JSON.parse(stdout) as [string, number][], architecture);
}
