/**
 * Named sets of cameras for the wall's group filter: those of the access policy file and those
 * an admin defines on the hub. A viewer is only ever told the members it may see.
 */

export interface CameraGroup {
  name: string;
  /** Canonical serials, in the order they were defined. */
  cameras: string[];
  /** "policy": from the policy file (read-only here); "hub": defined by an admin in the UI. */
  source: "policy" | "hub";
}

/** The hub's groups, as routes see them (hub/ implements it). */
export interface CameraGroups {
  /** Every group, policy ones first, each by name. */
  list(): CameraGroup[];
}
