/**
 * The ELF scanner the image tests run inside each image, run here with this machine's Node.js over a folder of
 * crafted files: it finds ELF files of either byte order by their header, skips everything else, and the
 * classification names what is not for the architecture asked for.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { classifyBinaries, ELF_SCANNER } from "../testing/binaries.js";

/** The first 20 bytes of an ELF file for `machine`, little- or big-endian, padded like a real program. */
function elf(machine: number, bigEndian = false): Buffer {
  const header = Buffer.alloc(64);
  header.write("\x7fELF", 0, "latin1");
  header.writeUInt8(2, 4); // 64-bit
  header.writeUInt8(bigEndian ? 2 : 1, 5);
  header.writeUInt8(1, 6);
  if (bigEndian) header.writeUInt16BE(machine, 18);
  else header.writeUInt16LE(machine, 18);
  return header;
}

const folder = mkdtempSync(join(tmpdir(), "elf-scan-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

mkdirSync(join(folder, "lib", "native"), { recursive: true });
writeFileSync(join(folder, "node"), elf(62));
writeFileSync(join(folder, "lib", "native", "addon.node"), elf(183));
writeFileSync(join(folder, "lib", "s390x.so"), elf(22, true));
writeFileSync(join(folder, "script.sh"), "#!/bin/sh\necho not a binary\n");
writeFileSync(join(folder, "short"), "\x7fELF");
symlinkSync(join(folder, "lib", "native", "addon.node"), join(folder, "link-to-addon"));

function scan(): [string, number][] {
  const result = spawnSync(process.execPath, ["-", folder], { input: ELF_SCANNER, encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as [string, number][];
}

describe("the ELF scanner", () => {
  it("finds each ELF file by its header, in either byte order, and follows no link", () => {
    expect(scan().sort()).toEqual(
      [
        [join(folder, "lib", "native", "addon.node"), 183],
        [join(folder, "lib", "s390x.so"), 22],
        [join(folder, "node"), 62],
      ].sort(),
    );
  });

  it("names what is not for the architecture asked for", () => {
    const found = scan();
    expect(classifyBinaries(found, "x86_64")).toEqual({
      counts: { x86_64: 1, arm64: 1, "e_machine 22": 1 },
      foreign: expect.arrayContaining([
        `${join(folder, "lib", "native", "addon.node")} (arm64)`,
        `${join(folder, "lib", "s390x.so")} (e_machine 22)`,
      ]),
    });
    expect(classifyBinaries(found, "x86_64").foreign).toHaveLength(2);
    expect(classifyBinaries(found, "arm64").foreign).toEqual(
      expect.arrayContaining([`${join(folder, "node")} (x86_64)`]),
    );
  });
});
