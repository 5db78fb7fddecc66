/**
 * Child process for the crash test: runs turns `0..count-1` on one session as fast as it can, each
 * as a chat request does (load, then append, inside `runExclusive`, so the writes take the cached
 * session's path), and prints `appended <n>` after each append resolved. The test SIGKILLs it mid-way.
 * Usage: node --import tsx append-turns.ts <dir> <sessionKey> <count>
 */
import { createFileSessionStore } from '../file-session-store.js';

const [dir, sessionKey, countText] = process.argv.slice(2);
if (!dir || !sessionKey || !countText) throw new Error('usage: append-turns <dir> <sessionKey> <count>');
const store = createFileSessionStore({ dir });
// Large bodies make a kill in the middle of a write (a torn line) likely.
const padding = 'x'.repeat(16 * 1024);
for (let index = 0; index < Number(countText); index += 1) {
  await store.runExclusive(sessionKey, async () => {
    // A limit no run reaches: nothing is compacted, so the test can expect every turn.
    await store.load(sessionKey, { maxMessages: 1_000_000 });
    await store.append(sessionKey, {
      createdAt: new Date(0).toISOString(),
      messages: [
        { role: 'user', content: `question ${index}` },
        { role: 'assistant', content: `answer ${index} ${padding}` },
      ],
    });
  });
  process.stdout.write(`appended ${index}\n`);
}
