import type { ConsolaInstance, LogType } from 'consola'
import { isClientError, isHTTPError, isRateLimitError } from '../src/client/error-guards.js'
import { type CallEvent, isRetrying, onCallEvent } from '../src/core/events.js'
import { checkKeys } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { redactBody, redactHeaders, redactURL, scrubText } from '../src/redact/redact.js'

/**
 * Options of {@link log}.
 *
 * @example
 * log({ logger: consola.withTag('payments'), bodies: true, maxBodyLength: 2048 })
 */
export type LogOptions = {
  /** A consola instance; its level decides what is logged. @default consola.withTag('fetchline') */
  logger?: ConsolaInstance
  /** The level to log at, overriding the logger's own: a consola level name or number. @default the logger's level */
  level?: LogType | number
  /** Log request and response bodies (JSON redacted by key, text scrubbed of URL secrets). @default false */
  bodies?: boolean
  /** Characters of a logged body before it is cut, with a note of the cut. @default 4096 */
  maxBodyLength?: number
  /**
   * The level of the final-failure line: a consola level name (`'silent'` drops the line).
   * @default {@link defaultFailureLevel}: warn for 4xx and handled failures, error for 5xx, network and timeouts
   */
  failureLevel?: (failure: LoggedFailure) => LogType
}

/** What {@link LogOptions.failureLevel} decides on. */
export type LoggedFailure = {
  error: unknown
  /** The last attempt's request. */
  request: ClientRequest
  /** `error.status` for an `HTTPError`. */
  status: number | undefined
  /** Whether the caller said it handles this failure (see {@link isHandled}). */
  handled: boolean
}

/**
 * Whether the caller marked this failure as its own to handle, through the call's context:
 * `context: { handled: true }` (every failure of the call) or a predicate of the error
 * (`context: { handled: (error) => isHTTPError(error) && error.status === 404 }`). A service
 * client that recovers from a failure (a token refresh and replay) marks it so.
 *
 * @example
 * await client.get('/users/{id}', { params: { id }, context: { handled: (e: unknown) => isHTTPError(e) && e.status === 404 } })
 */
export function isHandled(request: ClientRequest, error: unknown): boolean {
  const handled = request.context.handled
  return handled === true || (typeof handled === 'function' && handled(error) === true)
}

/**
 * The default {@link LogOptions.failureLevel}: `warn` for a 4xx answer, a failure the caller
 * handles ({@link isHandled}), the caller's own abort and a local rate-limit refusal; `error` for
 * the rest — 5xx, network, timeouts, a malformed answer, an open circuit.
 *
 * @example
 * log({ failureLevel: (f) => (f.status === 404 ? 'debug' : defaultFailureLevel(f)) })
 */
export function defaultFailureLevel({ error, request, status, handled }: LoggedFailure): LogType {
  if (handled || (status !== undefined && status < 500) || isRateLimitError(error)) return 'warn'
  return request.signal?.aborted && error === request.signal.reason ? 'warn' : 'error'
}

// consola's numeric levels (its LogLevels, copied so that loading this module does not load consola:
// the main entry exports recommended(), and an app that never logs through it should not pay for it).
const LOG_LEVELS: Readonly<Record<LogType, number>> = {
  silent: Number.NEGATIVE_INFINITY,
  fatal: 0,
  error: 0,
  warn: 1,
  log: 2,
  info: 3,
  success: 3,
  fail: 3,
  ready: 3,
  start: 3,
  box: 3,
  debug: 4,
  trace: 5,
  verbose: Number.POSITIVE_INFINITY,
}
const WARN = 1
const INFO = 3
const DEBUG = 4
const STARTED = Symbol('fetchline.log.started')

/**
 * Structured logs on consola, with the Python guide's field names: per attempt a debug line
 * `API Request: GET https://…` (`method`, `url`, `headers`, `attempt`) and an info line
 * `API Response: GET … - 200 (0.234s)` (`status_code`, `elapsed_seconds`; with `cache()` inside it,
 * `- 200 [cache hit] (…)` and a `cache` field); a warn line per retry
 * and a line for the final failure (`error_code`): error for 5xx, network and timeouts, warn for
 * 4xx and failures the caller handles (`failureLevel` changes this). Each line is one consola log
 * object, `{ args: [message], ...fields }`: a terminal reporter prints the message alone, one line per
 * call; a structured reporter finds every field on the log object. URLs, headers and bodies are
 * redacted here, where the line is made. Place it inside `retry()` to see every attempt. When the
 * logger's level is off, a line costs one comparison.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [retry(), log({ logger: consola.withTag('wechat') })] })
 */
export function log(options: LogOptions = {}): Middleware {
  checkKeys('log', options, ['logger', 'level', 'bodies', 'maxBodyLength', 'failureLevel'])
  const level = typeof options.level === 'string' ? LOG_LEVELS[options.level] : options.level
  if (options.level !== undefined && (typeof level !== 'number' || Number.isNaN(level))) {
    throw new TypeError(
      `log: level must be a consola level name (debug, info, warn, error, silent, …) or number, got ${String(options.level)}`,
    )
  }
  // Lines go out through a twin of the logger with consola's throttling off: consola folds
  // identical lines within a second into "(repeated n times)", and two identical requests are
  // two events, not one (the throttle's JSON.stringify is also most of a line's cost). The
  // twin shares the logger's reporters; the level is read from the logger on every call, so
  // `logger.level = 4` later still applies. Without a logger of yours, consola's default one is
  // loaded on the first call (not when this module loads).
  let base: ConsolaInstance
  let logger: ConsolaInstance
  const use = (instance: ConsolaInstance): void => {
    base = instance
    logger = instance.create({ throttle: 0, level: LOG_LEVELS.verbose })
  }
  let loading: Promise<void> | undefined
  if (options.logger) use(options.logger)
  const loadDefault = (): Promise<void> => (loading ??= import('consola').then(({ consola }) => use(consola.withTag('fetchline'))))
  const levelOf = level === undefined ? () => base.level : () => level
  const maxBody = options.maxBodyLength ?? 4096
  if (!Number.isInteger(maxBody) || maxBody < 0) throw new RangeError(`log: maxBodyLength must be an integer >= 0, got ${maxBody}`)
  const body = (value: unknown, request: ClientRequest): string | undefined =>
    options.bodies ? renderBody(value, request, maxBody) : undefined
  const failureLevel = options.failureLevel ?? defaultFailureLevel
  if (typeof failureLevel !== 'function')
    throw new TypeError(`log: failureLevel must be a function (failure) => level, got ${typeof failureLevel}`)

  function failure(request: ClientRequest, error: unknown): void {
    if (levelOf() < 0) return
    const status = isHTTPError(error) ? error.status : undefined
    const type = failureLevel({ error, request, status, handled: isHandled(request, error) })
    // An unknown name would be no line at all: write it at error rather than drop it silently.
    const chosen = Object.hasOwn(LOG_LEVELS, type) ? type : 'error'
    if (chosen === 'silent' || levelOf() < LOG_LEVELS[chosen]) return
    const code = isClientError(error) ? error.code : ((error as Error)?.name ?? 'Error')
    const message = scrubText(error instanceof Error ? error.message : String(error), request.redaction)
    const started = (request.context as { [STARTED]?: number })[STARTED] ?? performance.now()
    const url = redactURL(request.url, request.redaction)
    logger[chosen]({
      args: [`API Error: ${request.method} ${url} - ${code}${status ? ` ${status}` : ''}`],
      method: request.method,
      url,
      attempt: request.attempt,
      error_code: code,
      ...(status === undefined ? {} : { status_code: status }),
      elapsed_seconds: seconds(performance.now() - started),
      error: message,
      ...(isHTTPError(error) && options.bodies ? { body: body(error.data, request) } : {}),
    })
  }

  function onEvent(event: CallEvent): void {
    const { request } = event
    if (event.type === 'give-up') failure(request, event.error)
    if (event.type !== 'retry' || levelOf() < WARN) return
    const cause = event.status ?? (isClientError(event.error) ? event.error.code : 'error')
    const url = redactURL(request.url, request.redaction)
    logger.warn({
      args: [`API Retry: ${request.method} ${url} - retry ${event.retry} in ${seconds(event.delay)}s after ${cause}`],
      method: request.method,
      url,
      attempt: event.retry,
      delay_seconds: seconds(event.delay),
      ...(event.status === undefined ? { error_code: cause } : { status_code: event.status }),
    })
  }

  return function log(request, next) {
    if (logger === undefined) return loadDefault().then(() => attempt(request, next))
    return attempt(request, next)
  }

  // A `then` rather than an async function: no frame kept alive across the call (see retry()).
  // `next` never throws (the client's pipeline turns a throw into a rejection).
  function attempt(request: ClientRequest, next: Next): Promise<ClientResponse> {
    let started: number
    let retried: boolean
    try {
      const current = levelOf()
      if (current < 0) return next(request)
      started = performance.now()
      const context = request.context as { [STARTED]?: number }
      context[STARTED] ??= started
      // With retry outside, retry decides what is final and tells us; otherwise we see it here.
      retried = isRetrying(request)
      onCallEvent(request, onEvent)
      if (current >= DEBUG) requestLine(request)
    } catch (error) {
      return Promise.reject(error)
    }
    return next(request).then(
      (response) => {
        responseLine(response, started)
        return response
      },
      (error: unknown) => {
        if (isHTTPError(error)) responseLine(error.response, started)
        if (!retried) failure(request, error)
        throw error
      },
    )
  }

  function requestLine(request: ClientRequest): void {
    const url = redactURL(request.url, request.redaction)
    logger.debug({
      args: [`API Request: ${request.method} ${url}`],
      method: request.method,
      url,
      headers: redactHeaders(request.headers, request.redaction),
      attempt: request.attempt,
      ...(options.bodies ? { body: body(request.options.json ?? request.options.form ?? request.body, request) } : {}),
    })
  }

  function responseLine(response: ClientResponse, started: number): void {
    if (levelOf() < INFO) return
    const { request } = response
    const elapsed = seconds(performance.now() - started)
    const url = redactURL(request.url, request.redaction)
    // `args: [message]` rather than `message`: consola moves a `message` into `args` with a
    // `delete`, which turns every log object into a slow dictionary (~1.3 µs a line, measured).
    const line: Record<string, unknown> = {
      args: [
        `API Response: ${request.method} ${url} - ${response.status}${response.cache ? ` [cache ${response.cache}]` : ''} (${elapsed.toFixed(3)}s)`,
      ],
      method: request.method,
      url,
      status_code: response.status,
      elapsed_seconds: elapsed,
      attempt: request.attempt,
    }
    if (response.cache) line.cache = response.cache
    if (options.bodies) line.body = body(response.data, request)
    logger.info(line)
  }
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000
}

function renderBody(value: unknown, request: ClientRequest, max: number): string | undefined {
  if (value === undefined || value === null) return undefined
  let text: string
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(redactBody(JSON.parse(value), request.redaction))
    } catch {
      // A urlencoded form (client_secret=…&code=…) is redacted by key like JSON; other text by URL.
      const form = /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/.test(value) ? new URLSearchParams(value) : undefined
      text = form ? JSON.stringify(redactBody(Object.fromEntries(form), request.redaction)) : scrubText(value, request.redaction)
    }
  } else if (value instanceof URLSearchParams) text = JSON.stringify(redactBody(Object.fromEntries(value), request.redaction))
  else if (typeof value === 'object' && (value.constructor === Object || Array.isArray(value))) {
    text = JSON.stringify(redactBody(value, request.redaction))
  } else return `[${(value as object).constructor?.name ?? typeof value}]`
  return text.length > max ? `${text.slice(0, max)}… [cut: ${text.length - max} of ${text.length} chars not shown]` : text
}
