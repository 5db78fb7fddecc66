/**
 * Runs a gateway in a child process for tests that need real signals, exit codes or several
 * replicas, and a small SSE client that reports what arrived even when the stream is cut.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';

/** A started child gateway. */
export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** Everything the child wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code (`null` when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node <args>` and waits for the `listening on <url>` line.
 *
 * @param args - Arguments after `node` (script and its arguments).
 * @param env - The child's environment.
 * @throws Error with the child's output when it exits first or does not start within 15 s.
 */
export function spawnGateway(args: string[], env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (piece: string) => (stdout += piece));
  child.stderr!.setEncoding('utf8').on('data', (piece: string) => (stderr += piece));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${stdout}\n${stderr}`));
    }, 15_000);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ child, url: match[1]!, output: () => ({ stdout, stderr }), exited });
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });
}

/** What a streamed completion delivered. */
export interface StreamOutcome {
  status: number;
  /** The raw SSE text received. */
  text: string;
  /** The concatenated `delta.content` pieces. */
  content: string;
  done: boolean;
  /** True when the connection ended without a complete response (cut by the server). */
  cut: boolean;
}

/**
 * Posts a streamed chat completion on its own connection; `onFirstContent` fires at the first content delta.
 *
 * @param url - The gateway URL.
 * @param token - Bearer token.
 * @param body - Request body (`stream: true` is added).
 * @param onFirstContent - Called once when content starts arriving.
 */
export function streamCompletion(
  url: string,
  token: string,
  body: Record<string, unknown>,
  onFirstContent?: () => void,
): Promise<StreamOutcome> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      let notified = false;
      let settled = false;
      const finish = (cut: boolean) => {
        if (settled) return;
        settled = true;
        let content = '';
        for (const frame of text.split('\n\n')) {
          if (!frame.startsWith('data: {')) continue;
          const parsed = JSON.parse(frame.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
          content += parsed.choices?.[0]?.delta?.content ?? '';
        }
        resolve({ status: response.statusCode ?? 0, text, content, done: text.includes('data: [DONE]\n\n'), cut });
      };
      response.setEncoding('utf8');
      response.on('data', (piece: string) => {
        text += piece;
        if (!notified && text.includes('"content"')) {
          notified = true;
          onFirstContent?.();
        }
      });
      response.on('end', () => finish(false));
      response.on('error', () => finish(true));
      response.on('close', () => finish(!response.complete));
    });
    request.end(JSON.stringify({ ...body, stream: true }));
  });
}

/**
 * Tries a fresh TCP connection and a GET; resolves with the status or the connection error code.
 *
 * @param url - Base URL.
 * @param path - Path to GET.
 */
export function tryGet(url: string, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = http.get(`${url}${path}`, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
