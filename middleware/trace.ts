import type { Attributes, Context, Histogram, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api'
import { isClientError, isHTTPError, isNetworkError, isTimeoutError } from '../src/errors.js'
import { Headers } from '../src/headers.js'
import { checkKeys } from '../src/options.js'
import { redactURL, scrubText } from '../src/redact.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/types.js'

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
}

// https://opentelemetry.io/docs/specs/semconv/http/http-metrics/#metric-httpclientrequestduration
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'])

// The OpenTelemetry API is loaded on a trace() middleware's first call, not when this module loads:
// the main entry exports recommended(), and an app that never traces should not pay for it.
type OTelApi = typeof import('@opentelemetry/api')
let api: OTelApi | undefined
let NOOP_HISTOGRAM: Histogram | undefined
let loading: Promise<unknown> | undefined
function loadApi(): Promise<unknown> {
  loading ??= import('@opentelemetry/api').then((module) => {
    NOOP_HISTOGRAM = module.createNoopMeter().createHistogram('noop')
    api = module
  })
  return loading
}
const setter = { set: (carrier: Headers, key: string, value: string) => carrier.set(key, value) }

/**
 * `error.type` per the HTTP semantic conventions: the status for >= 400, else a code.
 *
 * @example
 * errorType(new TimeoutError(request, 100)) // 'timeout'
 */
export function errorType(error: unknown): string {
  if (isHTTPError(error)) return String(error.status)
  if (isTimeoutError(error)) return 'timeout'
  if (isNetworkError(error)) return error.systemCode ?? error.code
  if (isClientError(error)) return error.code
  return error instanceof Error && error.name ? error.name : '_OTHER'
}

/** The low-cardinality attributes shared by the span and the duration metric. */
function baseAttributes(request: ClientRequest): Attributes {
  const { url } = request
  const known = KNOWN_METHODS.has(request.method)
  const attributes: Attributes = {
    'http.request.method': known ? request.method : '_OTHER',
    'server.address': url.hostname,
    'server.port': url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
  }
  if (!known) attributes['http.request.method_original'] = request.method
  if (request.route) attributes['url.template'] = request.route
  return attributes
}

/**
 * OpenTelemetry, to the HTTP client semantic conventions: one CLIENT span per attempt (a child
 * of the caller's active span; attempts are siblings, numbered by `http.request.resend_count`),
 * named `GET` or `GET /users/{id}`, never by the raw URL; `url.full` redacted; W3C trace context
 * injected into the outgoing headers; and the `http.client.request.duration` histogram. With no
 * SDK registered it does no attribute work. Place it inside `retry()` to see every attempt.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [retry(), trace(), log()] })
 */
export function trace(options: TraceOptions = {}): Middleware {
  checkKeys('trace', options, ['tracerProvider', 'meterProvider', 'propagate', 'metrics'])
  const propagate = options.propagate ?? true
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
    tracer ??= (options.tracerProvider ?? otel.trace.getTracerProvider()).getTracer('fetchline')
    const parent = otel.context.active()
    const name = request.route ? `${request.method} ${request.route}` : request.method
    const span = tracer.startSpan(KNOWN_METHODS.has(request.method) ? name : 'HTTP', { kind: otel.SpanKind.CLIENT }, parent)
    const recording = span.isRecording()
    const duration = durationHistogram(otel) as Histogram
    const spanContext = span.spanContext()
    // The no-SDK span carries the shared invalid context: skip the id checks for it.
    const carries = propagate && spanContext !== otel.INVALID_SPAN_CONTEXT && otel.isSpanContextValid(spanContext)
    if (!recording && duration === NOOP_HISTOGRAM && !carries) {
      span.end()
      return next(request)
    }
    return traced(otel, request, next, { parent, span, recording, duration, carries })
  }

  return function trace(request, next) {
    if (api) return run(api, request, next)
    return loadApi().then(() => run(api as OTelApi, request, next))
  }

  async function traced(
    otel: OTelApi,
    request: ClientRequest,
    next: Next,
    {
      parent,
      span,
      recording,
      duration,
      carries,
    }: { parent: Context; span: Span; recording: boolean; duration: Histogram; carries: boolean },
  ): Promise<ClientResponse> {
    const active = otel.trace.setSpan(parent, span)
    const attributes = baseAttributes(request)
    if (recording) {
      span.setAttributes(attributes)
      span.setAttribute('url.full', redactURL(request.url, request.redaction))
      if (request.attempt > 0) span.setAttribute('http.request.resend_count', request.attempt)
    }
    let sent = request
    if (carries) {
      const headers = new Headers(request.headers)
      otel.propagation.inject(active, headers, setter)
      sent = { ...request, headers }
    }
    const started = performance.now()
    try {
      const response = await otel.context.with(active, () => next(sent))
      attributes['http.response.status_code'] = response.status
      if (response.status >= 400) attributes['error.type'] = String(response.status)
      if (recording) settle(otel, span, attributes)
      return response
    } catch (error) {
      if (isHTTPError(error)) attributes['http.response.status_code'] = error.status
      attributes['error.type'] = errorType(error)
      if (recording) settle(otel, span, attributes, error, request)
      throw error
    } finally {
      span.end()
      duration.record((performance.now() - started) / 1000, attributes)
    }
  }
}

function settle(otel: OTelApi, span: Span, attributes: Attributes, error?: unknown, request?: ClientRequest): void {
  const status = attributes['http.response.status_code']
  if (status !== undefined) span.setAttribute('http.response.status_code', status)
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
