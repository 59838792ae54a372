import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) used so far by every live process in the given process groups
 * (each web instance runs in its own group), from /proc. CPU time, unlike latency, barely depends
 * on what else the machine is doing, so "CPU ms per request" compares runs on a busy machine.
 * Linux only; elsewhere it answers null.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

export function groupCpuMs(groups: number[]): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const wanted = new Set(groups);
  let ticks = 0;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the ")" of the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!wanted.has(Number(f[2]))) continue;
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks * TICK_MS;
}
