// A reused keep-alive connection the server closes under a request, before any byte of the answer:
// the faults nginx shows only by chance (test/nginx/keepalive.test.ts has the real race), made
// here on demand by a node:http server that closes the connection after reading the second request
// on it. Cases ported from Go's net/http TestRetryRequestsOnError (transport_test.go: resend only
// on a reused connection, before any header data came back, and only an idempotent request once
// some of it was written) and its shouldRetryRequest (transport.go: a fresh connection that fails
// is not resent), on both cores; the pure policy is in test/resend-policy.test.ts.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { retry } from '../middleware/index.js'
import type { ClientRequest, Next } from '../src/core/types.js'
import { isStaleConnection } from '../src/errors/tls-errors.js'
import { createClient, isNetworkError } from '../src/index.js'
import { type Step, startServer } from './helpers/server.js'

/** Closes the connection after reading the request, without a byte of answer (FIN, or RST). */
const closes: Step = (req) => req.socket.destroy()
const resets: Step = (req) => req.socket.resetAndDestroy()
/** Starts an answer, then closes the connection: some of the answer came back. */
const halfAnswers: Step = (_req: IncomingMessage, res: ServerResponse) => res.socket?.end('HTTP/1.1 200 OK\r\ncontent-')

// One connection: the second call goes out on the first call's connection, not a new one undici
// opens because the first has not been handed back yet.
const pool = { connections: 1 }

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error,
  )
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: a reused connection the server closed`, () => {
    for (const [how, step] of [
      ['closed', closes],
      ['reset', resets],
    ] as const) {
      it(`sends a GET again on another connection when the reused one is ${how} before the answer`, async () => {
        const server = await startServer([200, step, { json: { ok: true } }])
        await using api = createClient({ baseURL: server.url, core, pool })
        await api.get('/first')
        const res = await api.get('/second')
        expect(res.data).toEqual({ ok: true })
        expect(server.seen.map((s) => s.url)).toEqual(['/first', '/second', '/second'])
        expect(server.sockets.size).toBe(2)
      })
    }

    it('is not a retry: retry() sees one attempt that succeeded', async () => {
      const server = await startServer([200, closes, { json: { ok: true } }])
      const retried: number[] = []
      const attempts: number[] = []
      const middleware = [
        retry({ delay: 1, onRetry: (event) => retried.push(event.retry) }),
        async (request: ClientRequest, next: Next) => (attempts.push(request.attempt), next(request)),
      ]
      await using api = createClient({ baseURL: server.url, core, pool, middleware })
      await api.get('/first')
      await api.get('/second')
      expect({ retried, attempts }).toEqual({ retried: [], attempts: [0, 0] })
      expect(server.seen).toHaveLength(3)
    })

    it('sends a GET with a time limit again too (the attempt keeps its limit)', async () => {
      const server = await startServer([200, closes, { json: { ok: true } }])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      expect((await api.get('/second', { timeout: 5_000 })).data).toEqual({ ok: true })
      expect(server.seen).toHaveLength(3)
    })

    it('does not send a POST without an idempotency key twice, and marks its failure stale', async () => {
      const server = await startServer([200, closes, 201])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      const error = await failure(api.post('/orders', { json: { id: 1 } }))
      expect(isNetworkError(error)).toBe(true)
      expect(isStaleConnection(error)).toBe(true)
      expect(server.seen.map((s) => s.method)).toEqual(['GET', 'POST'])
    })

    it('sends a POST with an Idempotency-Key again', async () => {
      const server = await startServer([200, closes, 201])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      const res = await api.post('/orders', { json: { id: 1 }, headers: { 'idempotency-key': 'k-1' } })
      expect(res.status).toBe(201)
      expect(server.seen.map((s) => [s.method, s.body.toString()])).toEqual([
        ['GET', ''],
        ['POST', '{"id":1}'],
        ['POST', '{"id":1}'],
      ])
    })

    it('sends a PUT with a FormData body again, encoded afresh', async () => {
      const server = await startServer([200, closes, 200])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      const form = new FormData()
      form.set('name', 'Ada')
      await api.put('/profile', { body: form })
      const [, first, again] = server.seen
      expect(again?.body.toString()).toContain('Ada')
      expect(again?.body.byteLength).toBe(first?.body.byteLength)
    })

    it('does not send a PUT whose body is a stream twice, and marks its failure stale', async () => {
      const server = await startServer([200, closes, 200])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      const body = new Blob(['streamed']).stream()
      const error = await failure(api.put('/file', { body, headers: { 'content-type': 'text/plain' } }))
      expect(isStaleConnection(error)).toBe(true)
      expect(server.seen).toHaveLength(2)
    })

    it('does not send a GET again when part of the answer came back', async () => {
      const server = await startServer([200, halfAnswers, 200])
      await using api = createClient({ baseURL: server.url, core, pool })
      await api.get('/first')
      const error = await failure(api.get('/second'))
      expect(isNetworkError(error)).toBe(true)
      expect(isStaleConnection(error)).toBe(false)
      expect(server.seen).toHaveLength(2)
    })

    it('does not send a GET again when its connection was fresh', async () => {
      const server = await startServer([closes, 200])
      await using api = createClient({ baseURL: server.url, core, pool })
      const error = await failure(api.get('/first'))
      expect(isStaleConnection(error)).toBe(false)
      expect(server.seen).toHaveLength(1)
    })
  })
}
