/**
 * The settings page's camera groups: the policy file's read-only, the hub's editable (name
 * and camera checkboxes), and a form to create one. Only the cameras this viewer may see are
 * offered or listed; the hub checks everything again.
 */
import { useState } from "preact/hooks";
import type { CameraInfo } from "../lib/client/messages.ts";
import type { CameraGroup } from "../lib/camera_groups.ts";
import { BUTTON, Panel } from "./Panel.tsx";
import { DANGER } from "./HiddenCameras.tsx";

export interface GroupEditorProps {
  groups: readonly CameraGroup[];
  cameras: readonly CameraInfo[];
  canManage: boolean;
  busy: boolean;
  /** Resolves to the hub's error message, or undefined when saved. */
  onSave(name: string, cameras: string[], previous?: string): Promise<string | undefined>;
  onDelete(name: string): Promise<string | undefined>;
}

const INPUT =
  "min-w-0 flex-1 rounded-md bg-black px-2 py-1 text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

export function GroupEditor(p: GroupEditorProps) {
  /** The group being edited: its name, or "" for a new one; undefined when none. */
  const [editing, setEditing] = useState<string>();
  const names = new Map(p.cameras.map((c) => [c.serial, c.name]));
  const label = (serial: string) => names.get(serial) ?? serial;
  return (
    <Panel title="Groups">
      <ul class="divide-y divide-neutral-800" data-groups="">
        {p.groups.map((g) =>
          editing === g.name
            ? (
              <li key={g.name} class="py-3">
                <GroupForm
                  {...p}
                  initial={g}
                  onDone={() => setEditing(undefined)}
                />
              </li>
            )
            : (
              <li key={g.name} class="space-y-1 py-3" data-group={g.name}>
                <div class="flex flex-wrap items-center gap-2">
                  <span class="font-medium text-neutral-100">{g.name}</span>
                  <span class="rounded-full px-2 py-0.5 text-xs text-neutral-400 ring-1 ring-neutral-700">
                    {g.source === "policy" ? "Policy file (read-only)" : "Defined on the hub"}
                  </span>
                  {p.canManage && g.source === "hub" && (
                    <span class="ml-auto flex gap-2">
                      <button
                        type="button"
                        class={BUTTON}
                        onClick={() => setEditing(g.name)}
                        data-edit-group={g.name}
                      >
                        Edit
                      </button>
                      <DeleteButton name={g.name} busy={p.busy} onDelete={p.onDelete} />
                    </span>
                  )}
                </div>
                <p class="text-sm text-neutral-400">{g.cameras.map(label).join(", ")}</p>
              </li>
            )
        )}
      </ul>
      {p.groups.length === 0 && <p class="text-sm text-neutral-400">No groups yet.</p>}
      {p.canManage &&
        (editing === "" ? <GroupForm {...p} onDone={() => setEditing(undefined)} /> : (
          <button
            type="button"
            class={`${BUTTON} mt-3`}
            onClick={() => setEditing("")}
            data-new-group=""
          >
            New group…
          </button>
        ))}
    </Panel>
  );
}

function DeleteButton(
  { name, busy, onDelete }: {
    name: string;
    busy: boolean;
    onDelete(name: string): Promise<string | undefined>;
  },
) {
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        class={DANGER}
        disabled={busy}
        onClick={async () => setError(await onDelete(name))}
        data-delete-group={name}
      >
        Delete
      </button>
      {error && <span role="alert" class="text-sm text-amber-300">{error}</span>}
    </>
  );
}

function GroupForm(
  p: GroupEditorProps & { initial?: CameraGroup; onDone(): void },
) {
  const [name, setName] = useState(p.initial?.name ?? "");
  const [chosen, setChosen] = useState(() => new Set(p.initial?.cameras ?? []));
  const [error, setError] = useState<string>();
  const toggle = (serial: string, on: boolean) =>
    setChosen((s) => {
      const next = new Set(s);
      if (on) next.add(serial);
      else next.delete(serial);
      return next;
    });
  const submit = async (e: Event) => {
    e.preventDefault();
    // Members this page cannot list (not seen here) are kept in the order the hub had them.
    const order = [...(p.initial?.cameras ?? []), ...p.cameras.map((c) => c.serial)];
    const cameras = [...new Set(order)].filter((s) => chosen.has(s));
    const problem = await p.onSave(name, cameras, p.initial?.name);
    if (problem) setError(problem);
    else p.onDone();
  };
  return (
    <form
      onSubmit={submit}
      class="mt-3 space-y-3 rounded-md bg-neutral-950 p-3 ring-1 ring-neutral-800"
      data-group-form=""
    >
      <label class="flex items-center gap-2 text-sm text-neutral-400">
        Name
        <input
          name="group-name"
          value={name}
          maxLength={64}
          required
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          class={INPUT}
        />
      </label>
      <fieldset class="grid grid-cols-1 gap-1 sm:grid-cols-2 lg:grid-cols-3">
        <legend class="mb-1 text-sm text-neutral-400">Cameras</legend>
        {p.cameras.map((c) => (
          <label key={c.serial} class="flex items-center gap-2 text-sm text-neutral-200">
            <input
              type="checkbox"
              checked={chosen.has(c.serial)}
              onChange={(e) =>
                toggle(c.serial, (e.target as HTMLInputElement).checked)}
              data-group-camera={c.serial}
            />
            {c.name}
          </label>
        ))}
      </fieldset>
      <div class="flex flex-wrap items-center gap-2">
        <button type="submit" class={BUTTON} disabled={p.busy} data-save-group="">
          Save group
        </button>
        <button type="button" class={BUTTON} onClick={p.onDone}>Cancel</button>
        {error && <span role="alert" class="text-sm text-amber-300">{error}</span>}
      </div>
    </form>
  );
}
