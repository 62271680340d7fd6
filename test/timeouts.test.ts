// The attempt timeout bounds the whole attempt — waiting in the pool, connecting, headers, body —
// and a connect that nobody waits for any more is ended, on both cores. Cases written from got's
// timeout suite (test/timeout.ts) and undici's connect tests (test/client-abort-while-connecting.js,
// test/connect-timeout.js), as behaviours against real local servers.
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildConnector } from 'undici'
import { describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, isTimeoutError, TimeoutError } from '../src/index.js'
import { startServer } from './helpers/server.js'
import { stalledPort } from './helpers/stalled.js'

/** A `pool.connect` of the caller's own (undici's connector) that shows us the sockets it makes. */
function watchedConnect(): { connect: buildConnector.connector; sockets: Socket[] } {
  const sockets: Socket[] = []
  const inner = buildConnector({})
  const connect: buildConnector.connector = (options, callback) => {
    const socket = inner(options, callback) as unknown as Socket
    sockets.push(socket)
    return socket
  }
  return { connect, sockets }
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: the attempt timeout covers the whole attempt`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })

    // got: test/timeout.ts "connect timeout" (a connect that never completes)
    it('fails a call whose connect stalls with a TimeoutError at the attempt limit, not the connect timeout', async () => {
      const port = await stalledPort()
      const api = client(`http://127.0.0.1:${port}`, { pool: { connectTimeout: 4_000 } })
      const error = await api.get('/', { timeout: 200 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as TimeoutError).limit).toBe('attempt')
      expect((error as TimeoutError).timeout).toBe(200)
      // close() does not wait for the abandoned connect (it would until the 4 s connect timeout).
      const closed = await Promise.race([api.close().then(() => 'closed'), sleep(3_000, 'still connecting')])
      expect(closed).toBe('closed')
    })

    // undici: test/client-abort-while-connecting.js "the built-in connector destroys a pending
    // socket when its attempt aborts": the abort really closes a socket that is still connecting.
    it('destroys the connecting socket when its only call times out, with a pool.connect of your own', async () => {
      const port = await stalledPort()
      const { connect, sockets } = watchedConnect()
      await using api = client(`http://127.0.0.1:${port}`, { pool: { connect } })
      const error = await api.get('/', { timeout: 150 }).catch((e: unknown) => e)
      expect(isTimeoutError(error)).toBe(true)
      expect(sockets).toHaveLength(1)
      expect(sockets[0]?.destroyed).toBe(true)
    })

    // undici: test/client-abort-while-connecting.js "shared connection attempt is cancelled only
    // after every request aborts"
    it('keeps a connect that a live call still waits for, and ends it when that call gives up too', async () => {
      const port = await stalledPort()
      const { connect, sockets } = watchedConnect()
      await using api = client(`http://127.0.0.1:${port}`, { pool: { connect, connections: 1 } })
      const controller = new AbortController()
      const reason = new Error('the caller went away')
      const waiting = api.get('/b', { signal: controller.signal }).catch((e: unknown) => e)
      const first = await api.get('/a', { timeout: 150 }).catch((e: unknown) => e)
      expect(isTimeoutError(first)).toBe(true)
      expect(sockets).toHaveLength(1)
      expect(sockets[0]?.destroyed).toBe(false) // '/b' still waits for it
      controller.abort(reason)
      expect(await waiting).toBe(reason)
      await sleep(0)
      expect(sockets[0]?.destroyed).toBe(true)
    })

    // got: test/timeout.ts "timeout option" — the limit covers the wait for a pool slot too
    it('fails a call queued behind a busy pool at its attempt limit, before the slot frees up', async () => {
      let answered = false
      const server = await startServer((req, res) => {
        if (req.url !== '/slow') return void res.end('ok')
        setTimeout(() => {
          answered = true
          res.end('slow')
        }, 1_500)
      })
      await using api = client(server.url, { pool: { connections: 1 } })
      const slow = api.get('/slow')
      const error = await api.get('/queued', { timeout: 200 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as TimeoutError).limit).toBe('attempt')
      expect(answered).toBe(false) // it did not wait for the slow call to free the connection
      await slow
      await api.get('/after')
      // The call given up on in the queue was never sent.
      expect(server.seen.map((hit) => hit.url)).toEqual(['/slow', '/after'])
    })
  })
}
