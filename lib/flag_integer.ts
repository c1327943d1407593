/**
 * A command-line flag's whole-number value within bounds, for the small CLIs (`cameras`,
 * `cluster`): the hub's own options have their table in lib/hub_option_table.ts.
 */
import { UsageError } from "./usage_error.ts";

/** `raw` as an integer from `min` to `max`; `def` when the flag is absent. Throws UsageError. */
export function flagInteger(
  flag: string,
  raw: string | undefined,
  def: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`Invalid --${flag}: "${raw}": must be an integer from ${min} to ${max}`);
  }
  return n;
}
