// fetchline-http/testing: mockFetch, a fetch double for tests. Runs anywhere fetch does.
import { checkKeys, checkMs } from '../core/options.js'
import type { FetchFunction } from '../cores/fetch.js'

/** A call `mockFetch` received. */
export type MockCall = {
  method: string
  url: URL
  headers: Headers
  /** The body as text (`''` when none). */
  body: string
  /** Values of the route's `{placeholders}`. */
  params: Record<string, string>
  /**
   * The route key that answered, such as `'GET /users/{id}'`; `null` when no route matched (the
   * call was rejected, and is still recorded so a test can see what was sent).
   */
  route: string | null
}

/** A scripted answer: a status, a description, a `Response`, or a function of the call. */
export type MockReply =
  | number
  | Response
  | {
      status?: number
      /** Sent as JSON with `content-type: application/json`. */
      json?: unknown
      body?: string | Uint8Array
      headers?: Record<string, string>
      /** Milliseconds before answering (an abort signal cuts it short). */
      delay?: number
      /** Fail like a broken network with this system code (`'ECONNRESET'`, `'ECONNREFUSED'`, …). */
      error?: string
    }
  | ((call: MockCall) => MockReply | Promise<MockReply>)

/** A route table: `'METHOD /path/{param}'` (or `'* /path'`) → a reply, or a sequence of replies. */
export type MockRoutes = Record<string, MockReply | readonly MockReply[]>

/** A fetch function that answers from a route table and records its calls. */
export type MockFetch = FetchFunction & {
  /** Every call, in order, including the ones no route matched (`route: null`). */
  readonly calls: MockCall[]
  /** The calls one route answered. */
  callsTo(route: string): MockCall[]
}

type Route = { key: string; method: string; pattern: RegExp; names: string[]; replies: readonly MockReply[]; hits: number }

function compile(key: string, replies: MockReply | readonly MockReply[]): Route {
  const match = /^([A-Z]+|\*)\s+(\S+)$/.exec(key)
  if (!match) throw new TypeError(`mockFetch: route "${key}" must look like "GET /users/{id}"`)
  const [, method = '', path = ''] = match
  const names: string[] = []
  const source = path
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      if (!part.startsWith('{')) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      names.push(part.slice(1, -1))
      return '([^/]+)'
    })
    .join('')
  const list = Array.isArray(replies) ? replies : [replies as MockReply]
  if (list.length === 0) throw new TypeError(`mockFetch: route "${key}" has an empty sequence`)
  for (const reply of list) checkReply(key, reply)
  return { key, method, pattern: new RegExp(`^${source}/?$`), names, replies: list, hits: 0 }
}

const REPLY_KEYS = ['status', 'json', 'body', 'headers', 'delay', 'error']

function checkReply(key: string, reply: MockReply): void {
  if (typeof reply !== 'object' || reply === null || reply instanceof Response) return
  checkKeys(`mockFetch: route "${key}" reply`, reply, REPLY_KEYS)
  if (reply.delay !== undefined) checkMs(`mockFetch: route "${key}" reply delay`, reply.delay)
}

function networkFailure(code: string, message: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) })
}

function wait(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true })
  })
}

async function answer(reply: MockReply, call: MockCall, signal: AbortSignal | null): Promise<Response> {
  if (typeof reply === 'function') return answer(await reply(call), call, signal)
  if (typeof reply === 'number') return new Response(null, { status: reply })
  if (reply instanceof Response) return reply
  if (reply.delay) await wait(reply.delay, signal)
  if (reply.error) throw networkFailure(reply.error, `mockFetch: ${reply.error} for ${call.route}`)
  const headers = new Headers(reply.headers)
  let body: string | Uint8Array | null = reply.body ?? null
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
  }
  return new Response(body as BodyInit | null, { status: reply.status ?? 200, headers })
}

/**
 * A fetch-compatible function answering from a route table, for testing a service client through
 * its whole pipeline without a network. A sequence answers one reply per call and then repeats
 * its last; a call no route matches is recorded with `route: null` and rejects like a network
 * failure naming the known routes (`systemCode` `FL_ERR_MOCK_NO_ROUTE`, which `retry()` never
 * retries: a missing route is a bug in the test, not a flaky network).
 *
 * @example
 * const fetch = mockFetch({
 *   'GET /users/{id}': ({ params }) => ({ json: { id: Number(params.id), name: 'Ada' } }),
 *   'POST /orders': [503, 503, { status: 201, json: { id: 'o1' } }],
 * })
 * const client = createClient({ baseURL: 'https://api.test', fetch })
 * await client.get('/users/{id}', { params: { id: 7 } })
 * fetch.calls.length // 1
 */
export function mockFetch(routes: MockRoutes): MockFetch {
  if (typeof routes !== 'object' || routes === null) throw new TypeError('mockFetch needs a route table such as { "GET /users/{id}": 200 }')
  const table = Object.entries(routes).map(([key, replies]) => compile(key, replies))
  const calls: MockCall[] = []

  const fetch = async (input: URL | string | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = request.body ? await request.text() : ''
    for (const route of table) {
      if (route.method !== '*' && route.method !== request.method) continue
      const found = route.pattern.exec(url.pathname)
      if (!found) continue
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]))
      const call: MockCall = { method: request.method, url, headers: request.headers, body, params, route: route.key }
      calls.push(call)
      const reply = route.replies[Math.min(route.hits++, route.replies.length - 1)] as MockReply
      return answer(reply, call, init?.signal ?? null)
    }
    calls.push({ method: request.method, url, headers: request.headers, body, params: {}, route: null })
    const known = table.map((r) => r.key).join(', ') || '(none)'
    throw networkFailure('FL_ERR_MOCK_NO_ROUTE', `mockFetch: no route for ${request.method} ${url.pathname}; routes: ${known}`)
  }
  return Object.assign(fetch, {
    calls,
    callsTo: (route: string) => calls.filter((call) => call.route === route),
  })
}
