import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runStepsInOrder } from './run-steps-in-order.js';
import type { RouteStep } from './route-step.js';
import { sendText } from './send-response.js';

/** An app whose one route runs `steps`, then answers 404 `fell through`, with an error handler naming the error. */
function appWith(steps: RouteStep[]) {
  const app = express();
  app.get('/route', runStepsInOrder(steps));
  app.use((_request, response) => {
    sendText(response, 404, `fell through ${String(response.getHeader('x-trail') ?? '')}`);
  });
  const onError: ErrorRequestHandler = (error: unknown, _request, response, _next) => {
    response
      .status(500)
      .type('text/plain')
      .send(
        `error ${error instanceof Error ? error.message : String(error)} after ${String(response.getHeader('x-trail') ?? '')}`,
      );
  };
  app.use(onError);
  return app;
}

/** A step that appends `name` to the `x-trail` header, then calls next(). */
function mark(name: string): RouteStep {
  return (_request, response, next) => {
    const trail = response.getHeader('x-trail');
    response.setHeader('x-trail', trail === undefined ? name : `${String(trail)},${name}`);
    next();
  };
}

describe('runStepsInOrder', () => {
  it('runs every step in order, then the handler that answers', async () => {
    const answer: RouteStep = (_request, response) => {
      sendText(response, 200, `answered after ${String(response.getHeader('x-trail'))}`);
    };
    const response = await request(appWith([mark('a'), mark('b'), mark('c'), answer])).get('/route');
    expect(response.status).toBe(200);
    expect(response.text).toBe('answered after a,b,c');
  });

  it('goes on to the next router layer when every step called next()', async () => {
    const response = await request(appWith([mark('a'), mark('b')])).get('/route');
    expect(response.status).toBe(404);
    expect(response.text).toBe('fell through a,b');
  });

  it('stops at a step that answers without calling next()', async () => {
    const refuse: RouteStep = (_request, response) => {
      sendText(response, 403, 'refused');
    };
    const response = await request(appWith([mark('a'), refuse, mark('never')])).get('/route');
    expect(response.status).toBe(403);
    expect(response.text).toBe('refused');
    expect(response.headers['x-trail']).toBe('a');
  });

  it('hands next(error) to the error middleware and skips the remaining steps', async () => {
    const fail: RouteStep = (_request, _response, next) => next(new Error('passed on'));
    const response = await request(appWith([mark('a'), fail, mark('never')])).get('/route');
    expect(response.status).toBe(500);
    expect(response.text).toBe('error passed on after a');
  });

  it('hands a synchronous throw to the error middleware', async () => {
    const fail: RouteStep = () => {
      throw new Error('thrown');
    };
    const response = await request(appWith([mark('a'), fail, mark('never')])).get('/route');
    expect(response.status).toBe(500);
    expect(response.text).toBe('error thrown after a');
  });

  it('hands an async step rejection to the error middleware, after the awaited work', async () => {
    const fail: RouteStep = async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      response.setHeader('x-trail', `${String(response.getHeader('x-trail'))},async`);
      throw new Error('rejected');
    };
    const response = await request(appWith([mark('a'), fail, mark('never')])).get('/route');
    expect(response.status).toBe(500);
    expect(response.text).toBe('error rejected after a,async');
  });

  it('turns a rejection without a reason into an Error, as Express does', async () => {
    const fail: RouteStep = () => Promise.reject(undefined);
    const response = await request(appWith([fail])).get('/route');
    expect(response.status).toBe(500);
    expect(response.text).toBe('error Rejected promise after ');
  });

  it('continues after an async step that calls next() once its work is done', async () => {
    const later: RouteStep = async (_request, response, next) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      response.setHeader('x-trail', `${String(response.getHeader('x-trail'))},async`);
      next();
    };
    const response = await request(appWith([mark('a'), later, mark('b')])).get('/route');
    expect(response.status).toBe(404);
    expect(response.text).toBe('fell through a,async,b');
  });
});
