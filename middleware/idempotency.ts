import { Headers } from '../src/core/headers.js'
import { checkKeys } from '../src/core/options.js'
import type { Middleware } from '../src/core/types.js'

/**
 * Options of {@link idempotency}.
 *
 * @example
 * idempotency({ header: 'Idempotency-Key', methods: ['POST'] })
 */
export type IdempotencyOptions = {
  /** The header that carries the key. @default 'Idempotency-Key' */
  header?: string
  /** Methods that get a key. @default ['POST', 'PATCH'] */
  methods?: readonly string[]
  /** Makes a key. @default crypto.randomUUID */
  generate?: () => string
}

/**
 * Gives each POST/PATCH call one idempotency key, the same on every attempt, unless the caller set
 * one — so the server can recognise a replay, and `retry()` may send the call again. The key is
 * kept in the call's context, so it stays stable wherever this sits relative to `retry()`.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [idempotency(), retry()] })
 * await client.post('/payments', { json: payment }) // retried on 503 with the same Idempotency-Key
 */
export function idempotency(options: IdempotencyOptions = {}): Middleware {
  checkKeys('idempotency', options, ['header', 'methods', 'generate'])
  const header = options.header ?? 'Idempotency-Key'
  const methods = new Set((options.methods ?? ['POST', 'PATCH']).map((m) => m.toUpperCase()))
  // The Web Crypto global: Node ≥ 19, Bun, Deno and workerd all have it, no node:crypto needed.
  const generate = options.generate ?? (() => crypto.randomUUID())
  if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    throw new TypeError(`idempotency: header must be a header name such as "Idempotency-Key", got ${String(header)}`)
  }

  return function idempotency(request, next) {
    if (!methods.has(request.method)) return next(request)
    const given = request.headers.get(header)
    const key = (request.context.idempotencyKey ??= given ?? generate()) as string
    if (given === key) return next(request)
    const headers = new Headers(request.headers)
    headers.set(header, key)
    return next({ ...request, headers })
  }
}
