/** What hub tests with an access policy share: a temporary policy file. */

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
