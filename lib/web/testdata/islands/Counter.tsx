/** Test fixture: a tiny island that counts clicks and adds a class the server never rendered. */
import { useState } from "preact/hooks";

export default function Counter(props: { start: number; label: string }) {
  const [count, setCount] = useState(props.start);
  return (
    <button
      type="button"
      class={count > props.start ? "counter px-2 bg-emerald-700" : "counter px-2"}
      onClick={() => setCount(count + 1)}
    >
      {props.label}: <output>{count}</output>
    </button>
  );
}
