/**
 * `source[start, end)` copied to `target[at…]`. Node 20's `Buffer#copy` of a part of its
 * source makes a view object per call; the hot paths copy short fields (a branch, a tag),
 * where a loop costs less than that object's garbage.
 */
export function copyBytes(
  source: Uint8Array,
  start: number,
  end: number,
  target: Uint8Array,
  at: number,
): void {
  for (let i = start; i < end; i++) target[at + i - start] = source[i]!;
}
