/** What hub tests with an access policy share: a temporary policy file, and an async poll. */

/** `policy` written to a temporary policy file; `await using` removes it. */
export async function tempPolicy(policy: unknown): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "trustcam_policy_" });
  const path = `${dir}/policy.json`;
  await Deno.writeTextFile(path, JSON.stringify(policy));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Runs `fn` with `policy` written to a temporary policy file, removed afterwards. */
export async function withPolicy(
  policy: unknown,
  fn: (policyFile: string) => Promise<void>,
): Promise<void> {
  await using file = await tempPolicy(policy);
  await fn(file.path);
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
