/**
 * {@link Tracing} on the OpenTelemetry SDK: spans batched and exported as OTLP/HTTP (JSON) to the
 * configured collector (docs/observability.md#traces). Only `start-tracing.ts` reaches this file,
 * through a dynamic `import()`, so a gateway without tracing never loads the SDK.
 *
 * Attribute names follow the OpenTelemetry semantic conventions for HTTP servers
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/) and GenAI client spans
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/).
 */
import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ProviderMessage } from '../providers/model-provider.js';
import type {
  ModelCallAnswer,
  ModelCallSpan,
  ModelCallStart,
  RequestSpan,
  TraceSpan,
  TracedRequest,
  Tracing,
} from './tracing.js';

/** Where a provider's upstream listens (`server.address`, `server.port`). */
export interface UpstreamAddress {
  address: string;
  port: number;
}

/** Options of {@link createOtelTracing}. */
export interface OtelTracingOptions {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  tracesUrl: string;
  /** Sent with every export (a collector's API key). */
  headers: Record<string, string>;
  /** `service.name` of every span. */
  serviceName: string;
  /** `service.version`. */
  serviceVersion: string;
  /** `logging.includeContent`: put the messages sent and the reply on model call spans. */
  includeContent: boolean;
  /** The upstream of each `openai-completions` provider, by provider id. */
  upstreams: ReadonlyMap<string, UpstreamAddress>;
}

/** Methods HTTP semantic conventions name as themselves; any other is `_OTHER`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** The instrumentation scope of every span. */
const TRACER_NAME = '@clawgate/gateway';

/**
 * Starts an OpenTelemetry tracer provider with a batch span processor and an OTLP/HTTP exporter.
 *
 * @param options - See {@link OtelTracingOptions}.
 * @returns The gateway's {@link Tracing}; `shutdown()` flushes the batch and stops the exporter.
 */
export function createOtelTracing(options: OtelTracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion,
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: options.tracesUrl, headers: { ...options.headers } })),
    ],
  });
  const tracer = provider.getTracer(TRACER_NAME, options.serviceVersion);
  const propagator = new W3CTraceContextPropagator();
  const context: SpanContextFactory = { tracer, propagator, options };
  let stopping: Promise<void> | undefined;

  return {
    startRequestSpan(request: TracedRequest, route: string | undefined, path: string): RequestSpan {
      const method = request.method !== undefined && KNOWN_METHODS.has(request.method) ? request.method : '_OTHER';
      const attributes: Attributes = { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http' };
      if (route !== undefined) attributes['http.route'] = route;
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        route === undefined ? method : `${method} ${route}`,
        { kind: SpanKind.SERVER, attributes },
        parent,
      );
      return new OtelRequestSpan(span, context);
    },
    startTurnSpan(method: string): TraceSpan {
      const span = tracer.startSpan(
        method,
        { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'openclaw-gateway', 'rpc.method': method } },
        ROOT_CONTEXT,
      );
      return new OtelSpan(span, context);
    },
    shutdown() {
      stopping ??= provider.shutdown().catch(() => undefined);
      return stopping;
    },
  };
}

/** What every span needs to start children. */
interface SpanContextFactory {
  tracer: Tracer;
  propagator: W3CTraceContextPropagator;
  options: OtelTracingOptions;
}

/** An OpenTelemetry span behind {@link TraceSpan}. */
class OtelSpan implements TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  private ended = false;

  constructor(
    protected readonly span: Span,
    protected readonly factory: SpanContextFactory,
  ) {
    const spanContext = span.spanContext();
    this.traceId = spanContext.traceId;
    this.spanId = spanContext.spanId;
  }

  /** This span as the parent of new spans. */
  protected asParent(): Context {
    return trace.setSpan(ROOT_CONTEXT, this.span);
  }

  startChild(name: string): TraceSpan {
    return new OtelSpan(
      this.factory.tracer.startSpan(name, { kind: SpanKind.INTERNAL }, this.asParent()),
      this.factory,
    );
  }

  startModelCall(call: ModelCallStart): ModelCallSpan {
    const { options, tracer, propagator } = this.factory;
    const attributes: Attributes = {
      'gen_ai.operation.name': call.operation,
      'gen_ai.provider.name': call.providerId,
      // The older name of the same attribute, which many back-ends still read.
      'gen_ai.system': call.providerId,
      'gen_ai.request.model': call.model,
    };
    const upstream = options.upstreams.get(call.providerId);
    if (upstream !== undefined) {
      attributes['server.address'] = upstream.address;
      attributes['server.port'] = upstream.port;
    }
    if (options.includeContent && call.messages !== undefined) {
      attributes['gen_ai.input.messages'] = JSON.stringify(call.messages.map(toContentMessage));
    }
    const span = tracer.startSpan(
      `${call.operation} ${call.model}`,
      { kind: SpanKind.CLIENT, attributes },
      this.asParent(),
    );
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
    return new OtelModelCallSpan(span, this.factory, headers);
  }

  end(failure?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (failure !== undefined) {
      this.span.setAttribute('error.type', failure);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    }
    this.span.end();
  }
}

/** The CLIENT span of one upstream call. */
class OtelModelCallSpan extends OtelSpan implements ModelCallSpan {
  constructor(
    span: Span,
    factory: SpanContextFactory,
    readonly propagationHeaders: Readonly<Record<string, string>>,
  ) {
    super(span, factory);
  }

  answered(answer: ModelCallAnswer): void {
    const attributes: Attributes = { 'gen_ai.usage.input_tokens': answer.inputTokens };
    if (answer.outputTokens !== undefined) attributes['gen_ai.usage.output_tokens'] = answer.outputTokens;
    if (answer.responseModel !== undefined) attributes['gen_ai.response.model'] = answer.responseModel;
    if (answer.finishReason !== undefined) attributes['gen_ai.response.finish_reasons'] = [answer.finishReason];
    if (this.factory.options.includeContent && answer.outputText !== undefined) {
      attributes['gen_ai.output.messages'] = JSON.stringify([
        {
          role: 'assistant',
          parts: [{ type: 'text', content: answer.outputText }],
          ...(answer.finishReason === undefined ? {} : { finish_reason: answer.finishReason }),
        },
      ]);
    }
    this.span.setAttributes(attributes);
    this.end();
  }
}

/** The SERVER span of one HTTP request. */
class OtelRequestSpan extends OtelSpan implements RequestSpan {
  setAgent(agentId: string): void {
    this.span.setAttribute('clawgate.agent.id', agentId);
  }

  finish(status: number, failure: string | undefined): void {
    this.span.setAttribute('http.response.status_code', status);
    // HTTP server spans: a 4xx is the client's mistake, not the server's (status left unset).
    if (status >= 500) this.end(failure ?? String(status));
    else if (status < 400 && failure !== undefined) this.end(failure);
    else this.end();
  }
}

/**
 * A message as the GenAI conventions record content (`{ role, parts: [{ type: 'text', content }] }`):
 * text only, since images and tool calls would only bloat a span.
 */
function toContentMessage(message: ProviderMessage): { role: string; parts: { type: 'text'; content: string }[] } {
  const content = message.content;
  const texts =
    typeof content === 'string'
      ? [content]
      : content === null
        ? []
        : content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
  return { role: message.role, parts: texts.map((text) => ({ type: 'text', content: text })) };
}
