import { open } from 'node:fs/promises';
import type { TranscriptTurn } from './session-store.js';
import { parseTranscriptLine } from './transcript-line.js';

/** Bytes read from the end of the file first; a longer last line makes the window grow 4× at a time. */
const FIRST_WINDOW = 16 * 1024;

/**
 * The newest turn of a transcript file (the last line that parses: a torn tail is skipped), reading
 * only the end of the file.
 *
 * @param file - A transcript file.
 * @returns The turn, or `undefined` for a missing file or one without any turn.
 */
export async function readLastTurn(file: string): Promise<TranscriptTurn | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    for (let window = Math.min(size, FIRST_WINDOW); window > 0; window = Math.min(size, window * 4)) {
      const start = size - window;
      const buffer = Buffer.alloc(window);
      const { bytesRead } = await handle.read(buffer, 0, window, start);
      const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
      // The first piece is a whole line only when the window starts at the start of the file.
      for (let index = lines.length - 1; index >= (start === 0 ? 0 : 1); index -= 1) {
        const turn = lines[index]?.trim() ? parseTranscriptLine(lines[index] as string) : undefined;
        if (turn !== undefined) return turn;
      }
      if (start === 0) return undefined;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
