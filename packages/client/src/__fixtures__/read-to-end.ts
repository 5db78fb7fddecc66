/**
 * Iterates a stream to its end, pushing each item into `seen`, so a test can check both what
 * arrived and how the loop ended.
 *
 * @returns What the loop threw, or `undefined` when it finished.
 */
export async function readToEnd<Item>(stream: AsyncIterable<Item>, seen: Item[]): Promise<unknown> {
  try {
    for await (const item of stream) seen.push(item);
    return undefined;
  } catch (error) {
    return error;
  }
}
