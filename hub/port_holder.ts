/**
 * Who listens on a TCP port, for the "port in use" start-up error: Linux's /proc tables give
 * the socket's inode, and the process whose descriptors hold it (only processes of the same
 * user are readable). Null whenever it cannot be known.
 */

export interface PortHolder {
  pid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
}

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Inodes of sockets listening on `port` (state 0A) in /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readOr(table).split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${hex}`) && f[3] === "0A") inodes.add(f[9]);
    }
  }
  return inodes;
}

export function portHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  let procs: Iterable<Deno.DirEntry>;
  try {
    procs = Deno.readDirSync("/proc");
  } catch {
    return null;
  }
  for (const p of procs) {
    if (!/^\d+$/.test(p.name)) continue;
    let fds: Iterable<Deno.DirEntry>;
    try {
      fds = Deno.readDirSync(`/proc/${p.name}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    try {
      for (const fd of fds) {
        const link = Deno.readLinkSync(`/proc/${p.name}/fd/${fd.name}`);
        const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
        if (inode && inodes.has(inode)) {
          const command = readOr(`/proc/${p.name}/cmdline`).split("\0").filter(Boolean).join(" ");
          return { pid: Number(p.name), command };
        }
      }
    } catch {
      continue; // exited while we looked
    }
  }
  return null;
}

/** "another trustcam hub", or the program's name: what the operator needs to recognize it. */
export function describeHolder(h: PortHolder): string {
  const trustcam = /\bmain\.ts\b/.test(h.command) && /\bdeno\b/.test(h.command);
  const program = h.command.split(" ")[0]?.split("/").at(-1) || "unknown";
  return `pid ${h.pid}, ${trustcam ? "another trustcam hub" : program}`;
}

/** A port from `port + 1` on that nothing on `host` listens on, or null. */
export function freePortAfter(port: number, host: string): number | null {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++) {
    try {
      Deno.listen({ hostname: host, port: p }).close();
      return p;
    } catch {
      continue;
    }
  }
  return null;
}
