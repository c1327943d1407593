/** The camera page's rename form, for admins: `PATCH /api/cameras/:serial`. */
import { useState } from "preact/hooks";
import type { CameraInfo } from "../lib/registry.ts";
import { BUTTON, Panel } from "./Panel.tsx";

export function RenameForm(
  { camera, onRenamed }: { camera: CameraInfo; onRenamed: (c: CameraInfo) => void },
) {
  const [name, setName] = useState(camera.name);
  const [state, setState] = useState<{ busy: boolean; error?: string; saved?: boolean }>({
    busy: false,
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      const res = await fetch(`/api/cameras/${encodeURIComponent(camera.serial)}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setState({ busy: false, error: body?.error?.message ?? `Rename failed: ${res.status}` });
        return;
      }
      onRenamed(body as CameraInfo);
      setName((body as CameraInfo).name);
      setState({ busy: false, saved: true });
    } catch (err) {
      setState({ busy: false, error: `Rename failed: ${(err as Error).message}` });
    }
  };

  return (
    <Panel title="Name">
      <form onSubmit={submit} class="space-y-2" data-rename="">
        <label class="block text-sm text-neutral-400" for="camera-name">Camera name</label>
        <div class="flex gap-2">
          <input
            id="camera-name"
            name="name"
            value={name}
            maxLength={64}
            required
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
            class="min-w-0 flex-1 rounded-md bg-black px-2 py-1 text-neutral-100 ring-1 ring-neutral-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          />
          <button type="submit" class={BUTTON} disabled={state.busy}>Save</button>
        </div>
        {state.error && <p role="alert" class="text-sm text-amber-300">{state.error}</p>}
        {state.saved && !state.error && <p role="status" class="text-sm text-emerald-300">Saved</p>}
      </form>
    </Panel>
  );
}
