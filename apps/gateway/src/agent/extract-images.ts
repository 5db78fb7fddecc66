/**
 * Image inputs of the current user message (docs/http-contract.md#images): `data:` URIs of jpeg,
 * png, gif or webp, bounded in count and size; remote URLs only when the operator allows them.
 */
import { invalidRequest } from '../errors.js';
import type { AgentRunInput } from './agent-runner.js';

/** The contract's one 400 for every image problem (no detail, so probing limits teaches nothing). */
export const INVALID_IMAGE_MESSAGE = 'Invalid image_url content in `messages`.';

/** `gateway.http.endpoints.chatCompletions.images`. */
export interface ImagePolicy {
  allowUrl: boolean;
  maxImages: number;
  maxImageBytes: number;
  maxTotalImageBytes: number;
}

/** A validated image: inline data, or a remote URL whose host is checked before the run. */
export type ImageInput =
  | { kind: 'data'; mimeType: string; url: string; bytes: number }
  | { kind: 'remote'; url: string };

const DATA_URI = /^data:([^;,]+)((?:;[^;,]*)*?);base64,([\s\S]*)$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const ALLOWED_TYPES: Record<string, string> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

/**
 * Validates and collects the `image_url` parts of one message's content.
 *
 * @param content - The current user message's content.
 * @param policy - Limits.
 * @throws GatewayError 400 ``Invalid image_url content in `messages`.`` for: more than `maxImages`,
 *   a data URI that is not base64 jpeg/png/gif/webp (or whose bytes are not that format), one image
 *   above `maxImageBytes` decoded, all images above `maxTotalImageBytes`, a remote URL when
 *   `allowUrl` is off, or a URL that is not `http(s)`.
 */
export function extractImages(
  content: AgentRunInput['messages'][number]['content'],
  policy: ImagePolicy,
): ImageInput[] {
  if (!Array.isArray(content)) return [];
  const images: ImageInput[] = [];
  let totalBytes = 0;
  for (const part of content) {
    if (part.type !== 'image_url') continue;
    if (images.length >= policy.maxImages) throw invalidRequest(INVALID_IMAGE_MESSAGE);
    const url = part.image_url.url.trim();
    if (/^data:/i.test(url)) {
      const image = parseDataUri(url, policy.maxImageBytes);
      totalBytes += image.bytes;
      if (totalBytes > policy.maxTotalImageBytes) throw invalidRequest(INVALID_IMAGE_MESSAGE);
      images.push(image);
    } else {
      if (!policy.allowUrl || !isHttpUrl(url)) throw invalidRequest(INVALID_IMAGE_MESSAGE);
      images.push({ kind: 'remote', url });
    }
  }
  return images;
}

function parseDataUri(url: string, maxImageBytes: number): Extract<ImageInput, { kind: 'data' }> {
  const match = DATA_URI.exec(url);
  const mimeType = match ? ALLOWED_TYPES[(match[1] ?? '').trim().toLowerCase()] : undefined;
  // Line breaks inside base64 are legal in MIME and some clients send them.
  const payload = (match?.[3] ?? '').replace(/\s+/g, '');
  if (!mimeType || payload === '' || payload.length % 4 === 1 || !BASE64.test(payload)) {
    throw invalidRequest(INVALID_IMAGE_MESSAGE);
  }
  // Size from the length, so an oversized image is refused before anything is decoded.
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  const bytes = Math.floor((payload.length * 3) / 4) - padding;
  if (bytes <= 0 || bytes > maxImageBytes) throw invalidRequest(INVALID_IMAGE_MESSAGE);
  if (!hasSignature(Buffer.from(payload.slice(0, 24), 'base64'), mimeType)) throw invalidRequest(INVALID_IMAGE_MESSAGE);
  return { kind: 'data', mimeType, url: `data:${mimeType};base64,${payload}`, bytes };
}

/** Magic bytes: a declared type must match the content, or upstream vision models fail obscurely. */
function hasSignature(head: Buffer, mimeType: string): boolean {
  switch (mimeType) {
    case 'image/jpeg':
      return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    case 'image/png':
      return head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/gif':
      return head.subarray(0, 6).toString('latin1') === 'GIF87a' || head.subarray(0, 6).toString('latin1') === 'GIF89a';
    case 'image/webp':
      return head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP';
    default:
      return false;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}
