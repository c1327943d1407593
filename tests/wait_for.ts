/** The polling helpers for tests: wait for a condition that real I/O will bring about. */

/** Polls `pred` every 10 ms; rejects naming `what` after `ms`. */
export async function waitFor(pred: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** waitFor for a condition read over the network: polls every 20 ms. */
export async function until(
  pred: () => Promise<boolean>,
  ms = 5000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
