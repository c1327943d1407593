/** Text for HTML written by hand (error pages), where Preact's escaping does not reach. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
