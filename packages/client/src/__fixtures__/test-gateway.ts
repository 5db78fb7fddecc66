import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from '@clawgate/gateway';

/** The real gateway app on 127.0.0.1, as the end-to-end tests use it. */
export interface TestGateway {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Stops the gateway and removes its state directory. */
  close(): Promise<void>;
}

/**
 * Starts the gateway (`startGateway` from @clawgate/gateway) on a free port with `config` (JSON5)
 * in a fresh state directory, its logs silenced.
 *
 * @param config - The gateway's clawgate.json5 text.
 * @returns The running gateway; the caller closes it.
 */
export async function startTestGateway(config: string): Promise<TestGateway> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-client-'));
  const configPath = path.join(stateDir, 'clawgate.json5');
  await writeFile(configPath, config);
  // Failures are the point of several tests; the gateway's error log would only be noise here.
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
  const running = await startGateway({ configPath, stateDir, port: 0, env: {}, print: () => undefined, logger });
  return {
    url: running.url,
    close: async () => {
      await running.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
