/**
 * The benches' reader of Linux's /proc/<pid>/stat (or /proc/thread-self/stat): a process's or thread's parent and
 * CPU time, to show where the time of an invoke goes.
 */
import { readFileSync } from "node:fs";

/**
 * The parent pid and the CPU time (ms, user + system) in `path`, a /proc stat file; undefined where it cannot be
 * read (no /proc, or the process is gone).
 */
export function readProcStat(path) {
  let stat;
  try {
    stat = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  // The fields after the command name, which is in parentheses and may hold spaces: state, ppid, ... utime, stime.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { parent: fields[1], cpuMs: (ticks * 1000) / 100 }; // USER_HZ is 100 on Linux
}
