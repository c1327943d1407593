/**
 * The order cameras are listed in, the same on the hub and in the page: by name, numbers in
 * names by value ("Cam 2" before "Cam 10"), then by serial. Two cameras never named (the name
 * is the serial) go by serial as text: hex digits read as numbers would put
 * `0123CAFE000000000A` before `0123CAFE0000000001`.
 */
const nameOrder = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

const bySerial = (a: string, b: string) => a < b ? -1 : a > b ? 1 : 0;

export function compareByName(
  a: { name: string; serial: string },
  b: { name: string; serial: string },
): number {
  if (a.name === a.serial && b.name === b.serial) return bySerial(a.serial, b.serial);
  return nameOrder.compare(a.name, b.name) || bySerial(a.serial, b.serial);
}
