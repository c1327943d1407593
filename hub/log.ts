/**
 * One line per event, `key=value` pairs after the event name, values quoted when they hold
 * spaces or quotes: easy to grep, safe to paste (a CN cannot forge a second line).
 */
export type Log = (event: string, fields?: Record<string, unknown>) => void;

export function formatLine(event: string, fields: Record<string, unknown> = {}, now = new Date()) {
  let line = `${now.toISOString()} ${event}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = typeof v === "string" ? v : v instanceof Error ? v.message : String(v);
    line += ` ${k}=${/^[\w.:@/+-]*$/.test(s) && s !== "" ? s : JSON.stringify(s)}`;
  }
  return line;
}

export function consoleLog(write: (line: string) => void = console.log): Log {
  return (event, fields) => write(formatLine(event, fields));
}

export const silentLog: Log = () => {};
