// One gateway replica for the multi-replica tests: the BUILT startGateway with a per-run Redis key
// prefix and a short session-lock expiry (programmatic options, not config keys), drained on SIGTERM.
// Usage: node run-gateway-replica.mjs <dist/index.js> <config> <key prefix> <lock ttl ms>
import { pathToFileURL } from 'node:url';

const [indexPath, configPath, keyPrefix, lockTtlMs] = process.argv.slice(2);
const { startGateway } = await import(pathToFileURL(indexPath).href);
try {
  const gateway = await startGateway({
    configPath,
    port: 0,
    redis: { keyPrefix, sessionLockTtlMs: Number(lockTtlMs) },
  });
  process.once('SIGTERM', () => {
    void gateway.shutdown().then(() => process.exit(0));
  });
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
