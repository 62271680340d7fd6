import type { Attributes, Context, Histogram, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api'
import { isHTTPError } from '../src/client/error-guards.js'
import { Headers } from '../src/core/headers.js'
import { checkKeys } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { scrubText } from '../src/redact/redact.js'
import {
  baseAttributes,
  cancelled,
  errorType,
  failedStatus,
  knownMethods,
  readKnownMethodsEnv,
  startAttributes,
} from './trace-attributes.js'

export { DEFAULT_KNOWN_METHODS, errorType } from './trace-attributes.js'

/**
 * Options of {@link trace}.
 *
 * @example
 * trace({ propagate: false }) // a vendor that rejects unknown headers
 */
export type TraceOptions = {
  /** @default the global provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider
  /** @default the global provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider
  /** Inject W3C trace context (`traceparent`) into outgoing headers. @default true */
  propagate?: boolean
  /** Record the `http.client.request.duration` histogram. @default true */
  metrics?: boolean
  /**
   * The methods recorded as themselves (case-sensitive); any other is recorded as `_OTHER`, with
   * `http.request.method_original`, in a span named `HTTP`. A full list, not an addition.
   * @default `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` (comma-separated) where the runtime lets
   * code read the environment (Node, Bun, Deno with `--allow-env`, workerd with `nodejs_compat`), else
   * {@link DEFAULT_KNOWN_METHODS}
   */
  knownMethods?: readonly string[]
}

// https://opentelemetry.io/docs/specs/semconv/http/http-metrics/#metric-httpclientrequestduration
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

// The OpenTelemetry API is loaded on a trace() middleware's first call, not when this module loads:
// the main entry exports recommended(), and an app that never traces should not pay for it.
type OTelApi = typeof import('@opentelemetry/api')
let api: OTelApi | undefined
let NOOP_HISTOGRAM: Histogram | undefined
let NOOP_TRACER_PROVIDER: TracerProvider | undefined
let loading: Promise<unknown> | undefined
function loadApi(): Promise<unknown> {
  loading ??= import('@opentelemetry/api').then((module) => {
    NOOP_HISTOGRAM = module.createNoopMeter().createHistogram('noop')
    // What the global provider hands out until an SDK registers (the API's no-op provider).
    NOOP_TRACER_PROVIDER = new module.ProxyTracerProvider().getDelegate()
    api = module
  })
  return loading
}
const setter = { set: (carrier: Headers, key: string, value: string) => carrier.set(key, value) }

/** Whether spans from `provider` may be recorded: not while the global provider has no SDK behind it. */
function mayRecord(otel: OTelApi, provider: TracerProvider): boolean {
  return !(provider instanceof otel.ProxyTracerProvider) || provider.getDelegate() !== NOOP_TRACER_PROVIDER
}

/**
 * OpenTelemetry, to the HTTP client semantic conventions: one CLIENT span per attempt (a child
 * of the caller's active span; attempts are siblings, numbered by `http.request.resend_count`),
 * named `GET` or `GET /users/{id}`, never by the raw URL; method, server and `url.full`
 * (redacted) given at span start, so samplers see them; W3C trace context injected into the
 * outgoing headers; and the `http.client.request.duration` histogram. A caller's abort is no
 * error (status unset, no `error.type`). The span ends when the call's answer is in: its whole
 * body, or its headers for `responseType: 'stream'`. Redirects followed by the core are inside
 * the one span. With no SDK registered it does no attribute work. Place it inside `retry()` to
 * see every attempt.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [retry(), trace(), log()] })
 */
export function trace(options: TraceOptions = {}): Middleware {
  checkKeys('trace', options, ['tracerProvider', 'meterProvider', 'propagate', 'metrics', 'knownMethods'])
  const propagate = options.propagate ?? true
  const known = knownMethods(options.knownMethods, options.knownMethods === undefined ? readKnownMethodsEnv() : undefined)
  let tracerProvider: TracerProvider | undefined
  let tracer: Tracer | undefined
  let meterProvider: MeterProvider | undefined
  let histogram: Histogram | undefined

  function durationHistogram(otel: OTelApi): Histogram | undefined {
    if (options.metrics === false) return NOOP_HISTOGRAM
    const provider = options.meterProvider ?? otel.metrics.getMeterProvider()
    if (provider !== meterProvider) {
      meterProvider = provider
      histogram = provider.getMeter('fetchline').createHistogram('http.client.request.duration', {
        unit: 's',
        description: 'Duration of HTTP client requests.',
        advice: { explicitBucketBoundaries: BUCKETS },
      })
    }
    return histogram
  }

  // With no SDK: a no-op span, no attribute work, and no promise of our own around the call.
  function run(otel: OTelApi, request: ClientRequest, next: Next): Promise<ClientResponse> {
    tracerProvider ??= options.tracerProvider ?? otel.trace.getTracerProvider()
    tracer ??= tracerProvider.getTracer('fetchline')
    const parent = otel.context.active()
    const isKnown = known.has(request.method)
    const name = !isKnown ? 'HTTP' : request.route ? `${request.method} ${request.route}` : request.method
    const kind = otel.SpanKind.CLIENT
    const start = mayRecord(otel, tracerProvider) ? { kind, attributes: startAttributes(request, known) } : { kind }
    const span = tracer.startSpan(name, start, parent)
    const recording = span.isRecording()
    const duration = durationHistogram(otel) as Histogram
    const spanContext = span.spanContext()
    // The no-SDK span carries the shared invalid context: skip the id checks for it.
    const carries = propagate && spanContext !== otel.INVALID_SPAN_CONTEXT && otel.isSpanContextValid(spanContext)
    if (!recording && duration === NOOP_HISTOGRAM && !carries) {
      span.end()
      return next(request)
    }
    const attributes = baseAttributes(request, known)
    return traced(otel, request, next, { parent, span, recording, duration, carries, attributes })
  }

  return function trace(request, next) {
    if (api) return run(api, request, next)
    return loadApi().then(() => run(api as OTelApi, request, next))
  }
}

type Traced = { parent: Context; span: Span; recording: boolean; duration: Histogram; carries: boolean; attributes: Attributes }

async function traced(otel: OTelApi, request: ClientRequest, next: Next, t: Traced): Promise<ClientResponse> {
  const { span, attributes } = t
  const active = otel.trace.setSpan(t.parent, span)
  let sent = request
  if (t.carries) {
    const headers = new Headers(request.headers)
    otel.propagation.inject(active, headers, setter)
    sent = { ...request, headers }
  }
  const started = performance.now()
  try {
    const response = await otel.context.with(active, () => next(sent))
    attributes['http.response.status_code'] = response.status
    // What cache() did (hit, miss, revalidated, stale): no semantic convention names it yet.
    if (response.cache) attributes['fetchline.cache'] = response.cache
    if (response.status >= 400) attributes['error.type'] = String(response.status)
    if (t.recording) settle(otel, span, attributes)
    return response
  } catch (error) {
    // A status that came before the failure (the body failed after the headers) is still recorded.
    const status = failedStatus(request, error)
    if (status !== undefined) attributes['http.response.status_code'] = status
    // The caller's own abort is no error: status unset, no error.type, no exception event.
    if (cancelled(request, error)) {
      if (t.recording) settle(otel, span, attributes)
    } else {
      attributes['error.type'] = errorType(error)
      if (t.recording) settle(otel, span, attributes, error, request)
    }
    throw error
  } finally {
    span.end()
    t.duration.record((performance.now() - started) / 1000, attributes)
  }
}

function settle(otel: OTelApi, span: Span, attributes: Attributes, error?: unknown, request?: ClientRequest): void {
  const status = attributes['http.response.status_code']
  if (status !== undefined) span.setAttribute('http.response.status_code', status)
  const cached = attributes['fetchline.cache']
  if (cached !== undefined) span.setAttribute('fetchline.cache', cached)
  const type = attributes['error.type']
  if (type === undefined) return
  span.setAttribute('error.type', type)
  span.setStatus({ code: otel.SpanStatusCode.ERROR })
  if (error === undefined || isHTTPError(error)) return
  // Recorded by hand, so the message and stack go through the same redaction as everything else.
  const e = error instanceof Error ? error : new Error(String(error))
  span.recordException({
    name: e.name,
    message: scrubText(e.message, request?.redaction),
    stack: scrubText(e.stack ?? '', request?.redaction),
  })
}
