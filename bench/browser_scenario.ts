/**
 * Scenario (d): the wall in headless Chromium. Placeholder until the wall exists.
 */
import type { BenchEnv } from "./load_step.ts";
import type { BrowserResult } from "./report.ts";

export interface BrowserOptions {
  cameras: number;
  fps: number;
  seconds: number;
  size: "qvga" | "vga";
  log?: (line: string) => void;
}

export async function runBrowserScenario(env: BenchEnv, _o: BrowserOptions): Promise<BrowserResult> {
  try {
    await Deno.stat(`${env.root}/islands/Wall.tsx`);
  } catch {
    return { ran: false, reason: "the wall (islands/Wall.tsx) does not exist yet" };
  }
  return { ran: false, reason: "todo" };
}
