/**
 * A small CLI's flags (`cameras`, `cluster`), parsed strictly: an unknown flag or a missing
 * value throws UsageError with node's words and, for a near miss, the flag meant.
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./usage_error.ts";
import { withSuggestion } from "./hub_options.ts";

export function parseFlags<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    const message = (err as Error).message.replace(/\.$/, "");
    throw new UsageError(withSuggestion(message, Object.keys(options)));
  }
}
