/** The client bundle and other built files, served under `/_trustcam/`. */
export interface WebAssets {
  /** URL of the islands bundle, content-hashed: "/_trustcam/islands-3f2a9c1e.js". */
  readonly scriptUrl: string;
  /** A response for an asset path, or undefined when it is not an asset. */
  serve(pathname: string): Response | undefined;
}
