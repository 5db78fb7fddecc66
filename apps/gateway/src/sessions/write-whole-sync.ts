/** One synchronous append, shared by the file store's transcripts and its index. */
import { writeSync } from 'node:fs';

/** Writes all of `buffer` at the end of an O_APPEND descriptor, looping on short writes. */
export function writeWholeSync(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
