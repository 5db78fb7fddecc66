/**
 * One request answered and read in full before a measurement, to prove the server under test gives
 * the answer the measurement assumes: a CPU figure of a relay that dropped the usage chunk, or of a
 * gateway that answered 400, would be cheap for the wrong reason. Also counts the frames a stream
 * has, for the per-frame figure.
 */
import type { BenchRequest } from './load-generator.js';

/** What the answer must be. */
export type ExpectedAnswer =
  | { kind: 'json' }
  | {
      kind: 'stream';
      /** Content deltas with at least one character. */
      contentFrames: number;
      /** Whether a frame with `usage` must be among them (the client sent `include_usage`). */
      usage: boolean;
    };

/** The verdict on one answer. */
export interface AnswerCheck {
  ok: boolean;
  /** `data:` frames of a stream, `[DONE]` included; 0 for JSON. */
  frames: number;
  bytes: number;
  problem?: string;
}

/** A content delta with at least one character; the role, finish and usage chunks have none. */
const contentFramePattern = /"content":"[^"]/;

/** The whole answer to one request, or why there is none. */
export type ReadAnswer = { ok: true; status: number; text: string } | { ok: false; problem: string };

/** Sends the request once and reads the whole answer; never throws. */
export async function readAnswer(origin: string, request: BenchRequest): Promise<ReadAnswer> {
  try {
    const response = await fetch(`${origin}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    return { ok: true, status: response.status, text: await response.text() };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Sends the request once and checks the answer.
 * @returns the verdict; never throws for a wrong answer, only reports it
 */
export async function checkAnswer(
  origin: string,
  request: BenchRequest,
  expected: ExpectedAnswer,
): Promise<AnswerCheck> {
  const answer = await readAnswer(origin, request);
  if (!answer.ok) return { ok: false, frames: 0, bytes: 0, problem: answer.problem };
  const { status, text } = answer;
  const bytes = Buffer.byteLength(text);
  if (status !== 200) return { ok: false, frames: 0, bytes, problem: `status ${status}: ${text.slice(0, 200)}` };
  if (expected.kind === 'json') {
    try {
      const body = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
      const content = body.choices?.[0]?.message?.content;
      if (typeof content !== 'string' || content === '')
        return { ok: false, frames: 0, bytes, problem: 'no choices[0].message.content' };
      return { ok: true, frames: 0, bytes };
    } catch {
      return { ok: false, frames: 0, bytes, problem: `not JSON: ${text.slice(0, 200)}` };
    }
  }
  const frames = text.split('\n\n').filter((frame) => frame.startsWith('data:'));
  const contentFrames = frames.filter((frame) => contentFramePattern.test(frame)).length;
  const problems = [
    frames.at(-1)?.trim() === 'data: [DONE]' ? undefined : 'does not end with data: [DONE]',
    contentFrames === expected.contentFrames ? undefined : `${contentFrames}/${expected.contentFrames} content frames`,
    !expected.usage || frames.some((frame) => frame.includes('"usage":{')) ? undefined : 'no usage chunk',
    frames.some((frame) => frame.startsWith('data: {"error"')) ? 'an error frame' : undefined,
  ].filter((problem) => problem !== undefined);
  return {
    ok: problems.length === 0,
    frames: frames.length,
    bytes,
    ...(problems.length > 0 ? { problem: problems.join(', ') } : {}),
  };
}
