/**
 * One `/v1/responses` answer read in full and checked before the Responses rows are measured
 * (docs/responses-api.md#the-response-object, docs/responses-api.md#streaming): a cheap figure of
 * a door that dropped a delta, numbered its events wrongly or lost the usage would be cheap for the
 * wrong reason. The measured loops only check the status and, for a stream, the final `[DONE]`.
 */
import { type AnswerCheck, readAnswer } from './check-answer.js';
import type { BenchRequest } from './load-generator.js';

/** What the answer must hold: the mock's text and usage, in the Responses API's words. */
export interface ExpectedResponse {
  kind: 'json' | 'stream';
  /** The reply's whole text (the mock's pieces joined). */
  text: string;
  /** `response.output_text.delta` events a stream must have (one per upstream piece). */
  deltas?: number;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
}

/** The parts of a response object the check reads. */
interface ResponseObject {
  object?: unknown;
  status?: unknown;
  output?: { type?: unknown; content?: { type?: unknown; text?: unknown }[] }[];
  usage?: Record<string, unknown>;
}

/** One SSE event of the stream: its `event:` line and its parsed `data:`. */
interface StreamEvent {
  event: string;
  data: { type?: unknown; sequence_number?: unknown; delta?: unknown; text?: unknown; response?: ResponseObject };
}

/** The text of every `output_text` part of the response's message items, joined. */
function outputText(response: ResponseObject | undefined): string | undefined {
  const parts = (response?.output ?? [])
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content ?? [])
    .filter((part) => part.type === 'output_text');
  return parts.length === 0 ? undefined : parts.map((part) => String(part.text)).join('');
}

/** Problems of a finished response object: status, text and usage against the mock's. */
function responseProblems(response: ResponseObject | undefined, expected: ExpectedResponse): string[] {
  if (response === undefined) return ['no response object'];
  const text = outputText(response);
  const usage = response.usage;
  return [
    response.object === 'response' ? undefined : `object ${JSON.stringify(response.object)}`,
    response.status === 'completed' ? undefined : `status ${JSON.stringify(response.status)}`,
    text === expected.text
      ? undefined
      : `output_text ${JSON.stringify(text?.slice(0, 60))} is not the mock's ${JSON.stringify(expected.text.slice(0, 60))}`,
    ...(['input_tokens', 'output_tokens', 'total_tokens'] as const).map((key) =>
      usage?.[key] === expected.usage[key]
        ? undefined
        : `usage.${key} ${JSON.stringify(usage?.[key])}, expected ${expected.usage[key]}`,
    ),
  ].filter((problem) => problem !== undefined);
}

/** Splits a stream into its events and `[DONE]`; a frame that is neither is a problem. */
function parseStream(text: string): { events: StreamEvent[]; dataFrames: number; last?: string; problems: string[] } {
  const frames = text.split('\n\n').filter((frame) => frame !== '' && !frame.startsWith(':'));
  const events: StreamEvent[] = [];
  const problems: string[] = [];
  for (const frame of frames) {
    if (frame === 'data: [DONE]') continue;
    const match = frame.match(/^event: ([^\n]+)\ndata: (.+)$/s);
    try {
      if (match?.[1] === undefined || match[2] === undefined) throw new Error('no event and data lines');
      events.push({ event: match[1], data: JSON.parse(match[2]) as StreamEvent['data'] });
    } catch {
      problems.push(`a frame that is not an event: ${JSON.stringify(frame.slice(0, 80))}`);
    }
  }
  return {
    events,
    dataFrames: frames.filter((frame) => /^(event: [^\n]+\n)?data: /.test(frame)).length,
    ...(frames.at(-1) === undefined ? {} : { last: frames.at(-1) }),
    problems,
  };
}

/** Problems of a stream: every event named and numbered, the deltas the mock's text, the right end. */
function streamProblems(text: string, expected: ExpectedResponse): { frames: number; problems: string[] } {
  const { events, dataFrames, last, problems } = parseStream(text);
  const misnamed = events.findIndex((each) => each.data.type !== each.event);
  const misnumbered = events.findIndex((each, index) => each.data.sequence_number !== index);
  const deltas = events.filter((each) => each.event === 'response.output_text.delta');
  const joined = deltas.map((each) => String(each.data.delta)).join('');
  const textDone = events.find((each) => each.event === 'response.output_text.done');
  const final = events.at(-1);
  return {
    frames: dataFrames,
    problems: [
      ...problems,
      misnamed < 0
        ? undefined
        : `event ${misnamed} is ${events[misnamed]?.event} with data.type ${String(events[misnamed]?.data.type)}`,
      misnumbered < 0
        ? undefined
        : `event ${misnumbered} has sequence_number ${String(events[misnumbered]?.data.sequence_number)}`,
      expected.deltas === undefined || deltas.length === expected.deltas
        ? undefined
        : `${deltas.length}/${expected.deltas} response.output_text.delta events`,
      joined === expected.text
        ? undefined
        : `the deltas join to ${JSON.stringify(joined.slice(0, 60))}, not the mock's text`,
      textDone?.data.text === expected.text ? undefined : 'response.output_text.done does not hold the whole text',
      events.some((each) => each.event === 'response.failed') ? 'a response.failed event' : undefined,
      final?.event === 'response.completed'
        ? undefined
        : `the last event is ${final?.event ?? 'missing'}, not response.completed`,
      ...(final?.event === 'response.completed'
        ? responseProblems(final.data.response, expected).map((problem) => `response.completed: ${problem}`)
        : []),
      last === 'data: [DONE]' ? undefined : 'does not end with data: [DONE]',
    ].filter((problem) => problem !== undefined),
  };
}

/**
 * Sends the request once and checks the answer: status 200; for JSON the response object
 * (`completed`, the mock's text as `output_text`, its usage); for a stream every event's
 * `event:` line matching its `type`, `sequence_number` 0, 1, 2, … in order, the deltas joined
 * into the mock's text, `response.completed` (the same object) last, then `data: [DONE]`.
 * @returns the verdict, with the stream's `data:` frames counted (`[DONE]` included, 0 for JSON);
 *   never throws for a wrong answer, only reports it
 */
export async function checkResponsesAnswer(
  origin: string,
  request: BenchRequest,
  expected: ExpectedResponse,
): Promise<AnswerCheck> {
  const answer = await readAnswer(origin, request);
  if (!answer.ok) return { ok: false, frames: 0, bytes: 0, problem: answer.problem };
  const bytes = Buffer.byteLength(answer.text);
  if (answer.status !== 200)
    return { ok: false, frames: 0, bytes, problem: `status ${answer.status}: ${answer.text.slice(0, 200)}` };
  let verdict: { frames: number; problems: string[] };
  if (expected.kind === 'stream') {
    verdict = streamProblems(answer.text, expected);
  } else {
    try {
      verdict = { frames: 0, problems: responseProblems(JSON.parse(answer.text) as ResponseObject, expected) };
    } catch {
      verdict = { frames: 0, problems: [`not JSON: ${answer.text.slice(0, 200)}`] };
    }
  }
  return {
    ok: verdict.problems.length === 0,
    frames: verdict.frames,
    bytes,
    ...(verdict.problems.length > 0 ? { problem: verdict.problems.join(', ') } : {}),
  };
}
