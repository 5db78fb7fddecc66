/**
 * The smallest honest relay: `node:http` in, undici `Pool` out, JSON parsed and built both ways,
 * no auth, no validation, no sessions. Not a gateway: a reference for what one Node process can
 * relay on the gateway's core on this machine, so a gateway figure can be read as "x% of what the
 * platform allows". `upstream-stream` mode asks the mock for SSE and JSON-parses each of its frames,
 * as the gateway does; `upstream-json` asks for one JSON body.
 *
 * Child-process entry: `reference-relay.ts <mock origin> <port> <upstream-json|upstream-stream>`;
 * prints its URL when listening.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [upstreamOrigin, portText, mode] = process.argv.slice(2);
if (upstreamOrigin === undefined || portText === undefined || (mode !== 'upstream-json' && mode !== 'upstream-stream')) {
  process.stderr.write('usage: reference-relay <mock origin> <port> <upstream-json|upstream-stream>\n');
  process.exit(2);
}
const streamUpstream = mode === 'upstream-stream';
const pool = new Pool(upstreamOrigin, { connections: 256, keepAliveTimeout: 120_000 });

interface IncomingBody {
  model?: string;
  messages?: unknown;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void relay(Buffer.concat(chunks).toString('utf8')).then(
      (body) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      },
      (error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : 'upstream failed');
      },
    );
  });
});

async function relay(text: string): Promise<string> {
  const incoming = JSON.parse(text) as IncomingBody;
  const upstream = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'instant', messages: incoming.messages, stream: streamUpstream }),
  });
  const answer = await upstream.body.text();
  let content = '';
  if (streamUpstream) {
    for (const frame of answer.split('\n\n')) {
      if (!frame.startsWith('data: {')) continue;
      const chunk = JSON.parse(frame.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      content += chunk.choices?.[0]?.delta?.content ?? '';
    }
  } else {
    content = (JSON.parse(answer) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
  }
  return JSON.stringify({
    id: `chatcmpl_${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: incoming.model ?? 'openclaw',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 64, total_tokens: 76 },
  });
}

server.keepAliveTimeout = 120_000;
server.listen(Number(portText), '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${portText}\n`));
const stop = (): void => {
  server.closeAllConnections();
  server.close(() => void pool.close().then(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
