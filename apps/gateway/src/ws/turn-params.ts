/** Params shared by the methods that start a turn (`agent`, `chat.send`). */
import { z } from 'zod';

/** The client's idempotency key, which becomes the run id. */
export const idempotencyKeySchema = () => z.string().trim().min(1).max(256);
/** A session key as clients send it. */
export const sessionKeySchema = () => z.string().trim().min(1).max(512);
/** The user's message (the frame's size limit bounds it). */
export const messageSchema = () => z.string().min(1);
/** An agent id as clients send it (normalised and checked against the configured agents). */
export const agentIdSchema = () => z.string().max(128);
