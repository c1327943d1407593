/**
 * What the benchmark reads from Linux's /proc: CPU time and memory of a process, the
 * machine's description, and the process tree (so every child is ended by its id).
 */

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux we run on. */
export const CLK_TCK = readClockTicks();

function readClockTicks(): number {
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped", stderr: "null" })
      .outputSync();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

export interface ProcSample {
  /** user + system CPU seconds of every thread of the process so far */
  cpuS: number;
  /** resident set now, MB */
  rssMb: number;
  /** peak resident set since start (VmHWM), MB */
  hwmMb: number;
}

/** One reading of a live process, or null once it has exited. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name may hold spaces and parentheses: fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat(5) (utime, stime) are at 11 and 12 after "pid (comm) ".
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    return { cpuS: ticks / CLK_TCK, rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/**
 * A process with its descendants: CPU of them all (the hub's decode process is the hub's
 * work), memory of the process itself.
 */
export function sampleTree(pid: number): ProcSample | null {
  const root = sampleProc(pid);
  if (root === null) return null;
  for (const child of descendants(pid)) root.cpuS += sampleProc(child)?.cpuS ?? 0;
  return root;
}

/** Busy and total jiffies of the whole machine, for "how loaded was the box". */
export function sampleMachine(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Samples a process every `everyMs`, keeping the highest RSS seen. */
export class ProcSampler {
  readonly pid: number;
  maxRssMb = 0;
  last: ProcSample | null = null;
  #timer: ReturnType<typeof setInterval>;

  constructor(pid: number, everyMs = 200) {
    this.pid = pid;
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample(): ProcSample | null {
    const s = sampleProc(this.pid);
    if (s) {
      this.last = s;
      if (s.rssMb > this.maxRssMb) this.maxRssMb = s.rssMb;
    }
    return s;
  }

  /** Starts a new peak window (RSS peak within a phase of a run). */
  resetPeak(): void {
    this.maxRssMb = 0;
    this.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGb: number;
  kernel: string;
  loadavg: number[];
}

export function machineInfo(): MachineInfo {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    cores: navigator.hardwareConcurrency,
    ramGb: Math.round(memKb / 1024 / 1024 * 10) / 10,
    kernel: Deno.osRelease(),
    loadavg: Deno.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Every descendant of `pid` (children first found, depth first), from /proc ppid links. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e.name));
      children.set(ppid, list);
    } catch {
      // Exited while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number, depth: number) => {
    if (depth > 16) return;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c, depth + 1);
    }
  };
  walk(pid, 0);
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Ends `pid`, its process group (children are spawned detached, so the group is theirs
 * alone) and every descendant that left the group (Chromium makes its own): SIGTERM, then
 * SIGKILL after `graceMs` for whatever is left.
 */
export async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  signal(-pid, "SIGTERM");
  for (const p of pids) signal(p, "SIGTERM");
  const end = Date.now() + graceMs;
  while (Date.now() < end && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  const left = pids.filter(alive);
  if (left.length === 0) return;
  signal(-pid, "SIGKILL");
  for (const p of left) signal(p, "SIGKILL");
}
