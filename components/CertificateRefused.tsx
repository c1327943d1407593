/**
 * The whole page once the hub refuses the certificate this browser presents (revoked, or
 * expired meanwhile): what happened and what to do, in place of a wall that would never come
 * back and a banner promising a reconnect that cannot succeed.
 */
import { useEffect, useRef } from "preact/hooks";
import type { AccessProblem } from "../lib/client/access_probe.ts";

export interface CertificateRefusedProps {
  problem: AccessProblem;
  /** The certificate's name, as the hub greeted this page. */
  viewer?: string;
}

/** Headline by cause; also the tab's title, so a wall monitor's tab says it too. */
export function refusedTitle(problem: AccessProblem): string {
  if (problem.code === "TC_ERR_REVOKED") return "This certificate has been revoked";
  if (problem.reason === "expired") return "This certificate has expired";
  if (problem.reason === "not_yet_valid") return "This certificate is not valid yet";
  return "This certificate is no longer accepted";
}

export function CertificateRefused({ problem, viewer }: CertificateRefusedProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  const title = refusedTitle(problem);
  const revoked = problem.code === "TC_ERR_REVOKED";
  const which = viewer ? <>the certificate “{viewer}” this browser presented</> : (
    "the certificate this browser presented"
  );

  useEffect(() => {
    document.title = `${title} · trustcam`;
    // Keyboard and screen reader users land on the news, not on a control that is gone.
    heading.current?.focus();
  }, [title]);

  return (
    <section
      aria-labelledby="refused-title"
      class="mx-auto mt-6 max-w-2xl rounded-lg bg-neutral-900 p-6 ring-1 ring-red-800"
      data-certificate-refused={revoked ? "revoked" : problem.reason ?? "refused"}
    >
      <div class="mb-4 flex items-center gap-3">
        <svg
          viewBox="0 0 24 24"
          width="28"
          height="28"
          fill="none"
          stroke="currentColor"
          stroke-width="2"
          stroke-linecap="round"
          stroke-linejoin="round"
          aria-hidden="true"
          class="shrink-0 text-red-400"
        >
          <circle cx="12" cy="12" r="9" />
          <path d="M5.6 5.6l12.8 12.8" />
        </svg>
        <h1
          id="refused-title"
          ref={heading}
          tabIndex={-1}
          class="text-xl font-semibold text-neutral-100 focus:outline-none"
        >
          {title}
        </h1>
      </div>
      <p class="mb-3 text-neutral-300">
        {revoked
          ? <>The hub's administrator revoked {which}.</>
          : <>The hub no longer accepts {which}: {problem.message}.</>}{" "}
        The hub ended this page's connection and will show this certificate no camera: the pictures
        have stopped and this page no longer tries to reconnect.
      </p>
      <h2 class="mb-2 mt-5 text-sm font-semibold uppercase tracking-wide text-neutral-400">
        What to do
      </h2>
      <ol class="list-decimal space-y-2 pl-5 text-sm text-neutral-300">
        <li>
          Ask the hub's administrator for a new browser certificate: a{" "}
          <code class={CODE}>.p12</code> file and its password (they create it with{" "}
          <code class={CODE}>deno task certs viewer YOUR-NAME</code>).
          {revoked && " If you did not expect this, tell them: a certificate is revoked when it" +
              " is lost, copied or no longer needed."}
        </li>
        <li>
          Import it. Chrome and Edge: Settings › Privacy and security › Security › Manage
          certificates › Your certificates › Import. Firefox: Settings › Privacy &amp; Security ›
          Certificates › View Certificates › Your Certificates › Import. macOS: double-click the
          file and enter the password in Keychain Access.
        </li>
        <li>
          Restart the browser: until then it keeps presenting the certificate it chose for this hub.
          Then open this address again and pick the new certificate when asked.
        </li>
      </ol>
      <p class="mt-5 text-xs text-neutral-500">
        Reloading this page with the same certificate will not bring the cameras back.
      </p>
    </section>
  );
}

const CODE = "rounded bg-neutral-800 px-1";
