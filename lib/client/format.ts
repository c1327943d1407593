/** Short human texts for the wall and the camera page. Pure; runs on server and client. */

/** "just now", "12 s ago", "3 min ago", "5 h ago", "2 days ago". */
export function formatAgo(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** Time since an ISO date, or "never" when there is none. */
export function agoSince(iso: string | null | undefined, now: number): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "never" : formatAgo(now - t);
}

/** "42 s", "3 min 5 s", "4 h 2 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Binary units: "980 B", "147.7 KiB", "3.8 MiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "–";
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Wi-Fi strength as dBm and a word, so it is not read from a colour or a number alone. */
export function formatRssi(dbm: number): string {
  if (!Number.isFinite(dbm)) return "–";
  if (dbm === 0) return "0 dBm (wired or simulated)";
  const word = dbm >= -55 ? "excellent" : dbm >= -67 ? "good" : dbm >= -75 ? "fair" : "weak";
  return `${dbm} dBm (${word})`;
}

/** "14.9 fps"; one decimal, never "-0.0". */
export function formatFps(fps: number): string {
  return `${Number.isFinite(fps) && fps > 0 ? fps.toFixed(1) : "0.0"} fps`;
}

/**
 * A delay measured between two clocks (camera to screen): milliseconds up to 10 s ("34 ms"),
 * a duration beyond ("3 min 5 s").
 */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  return ms < 10_000 ? `${Math.round(ms)} ms` : formatDuration(ms / 1000);
}

/**
 * How old the picture shown is: milliseconds while it is live ("34 ms"), then seconds,
 * minutes and hours ("7 s", "3 min 5 s", "2 h 4 min"), never "7947 ms".
 */
export function formatFrameAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  return ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms / 1000);
}

/**
 * A wall-clock time for "last picture at" and overlays: "14:05:09" (24 h) in the browser's
 * zone; with the date ("27 Nov 14:05:09") once it is not the day of `now`.
 */
export function formatClock(at: number, now: number = at): string {
  if (!Number.isFinite(at)) return "–";
  const d = new Date(at);
  const time = d.toLocaleTimeString("en-GB", { hour12: false });
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${time}`;
}
