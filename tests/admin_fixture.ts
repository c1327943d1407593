/** What the admin tests (hide, remove, groups) share: a policy file and an async poll. */

/** Runs `fn` with `policy` written to a temporary policy file, removed afterwards. */
export async function withPolicy(
  policy: unknown,
  fn: (policyFile: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  try {
    await Deno.writeTextFile(`${dir}/policy.json`, JSON.stringify(policy));
    await fn(`${dir}/policy.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** waitFor (tests/wait_for.ts) for a condition read over the network: polls every 20 ms. */
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
