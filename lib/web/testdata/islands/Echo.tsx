/** Test fixture: renders its props back, to check they survive serialization. */
export default function Echo(props: { text: string; list: number[] }) {
  return <pre class="echo">{JSON.stringify(props)}</pre>;
}
