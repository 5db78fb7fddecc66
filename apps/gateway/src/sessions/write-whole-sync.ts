/** One synchronous append, shared by the file store's transcripts, its index and its response-id log. */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes all of `buffer` at the end of an O_APPEND descriptor, looping on short writes. */
export function writeWholeSync(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Appends `text` to `file` with one O_APPEND write, creating the file (mode 0600) on first use. */
export function appendTextSync(file: string, text: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    writeWholeSync(fd, Buffer.from(text, 'utf8'));
  } finally {
    closeSync(fd);
  }
}
