/**
 * Child-process entry of the mock upstream: the runner starts it under `taskset` so the mock gets
 * its own core assignment, and reads the one JSON line it prints to learn the URL.
 */
import { createMockUpstream } from './mock-upstream.js';

const mock = await createMockUpstream();
process.stdout.write(`${JSON.stringify({ baseUrl: mock.baseUrl })}\n`);

const stop = (): void => {
  void mock.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// If the runner dies without signalling, stdin closes: never outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
