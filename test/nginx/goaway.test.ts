// HTTP/2 GOAWAY from a real nginx (issue 22 item 3). With `keepalive_requests 20`, nginx sends
// GOAWAY(NO_ERROR, last stream id) on the 20th stream of every connection and then answers that
// stream: it must complete; streams the client opened above it were never processed and go again,
// whatever their method (RFC 9113 §6.8, §8.7). Each call carries its own `x-request-id`, which
// nginx logs: a POST logged twice would be a POST sent twice. The scenario is curl's issue #8809
// and socketry/async-http#245 (nginx, keepalive_requests, GOAWAY last stream id 39); the node:http2
// cases of the same rules are in test/http2.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { type Nginx, nginxMissing, startNginx } from '../helpers/nginx.js'
import { type TestPKI, testPKI } from '../helpers/tls.js'

const LIMIT = 20

describe.skipIf(nginxMissing())('HTTP/2 GOAWAY from nginx (keepalive_requests 20)', () => {
  let nginx: Nginx
  let pki: TestPKI
  beforeAll(async () => {
    pki = await testPKI()
    nginx = await startNginx({ pki, keepaliveRequests: LIMIT })
  })
  afterAll(() => nginx?.stop())

  /** The access log lines of the calls whose request id starts with `prefix`. */
  const logged = async (prefix: string) => (await nginx.settledLog()).filter((entry) => entry.requestId.startsWith(prefix))
  const ids = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`)
  /** How many requests each connection carried, in the order the connections came. */
  const perConnection = (log: { connection: number }[]) => {
    const counts = new Map<number, number>()
    for (const entry of log) counts.set(entry.connection, (counts.get(entry.connection) ?? 0) + 1)
    return [...counts.values()]
  }

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const h2 = () => createClient({ baseURL: nginx.https, core, pool: { allowH2: true, connect: { ca: pki.ca.cert } } })
      const post = (api: ReturnType<typeof h2>, id: string) =>
        api.post<{ created: string }>('/created', { json: { id }, headers: { 'x-request-id': id } })
      const get = (api: ReturnType<typeof h2>, id: string) => api.get<{ id: string }>('/echo', { headers: { 'x-request-id': id } })

      it("100 POSTs over h2 each resolve with nginx's 201, and nginx logs each request id once", async () => {
        // connections: 1, as the README told h2 users before: one connection takes the burst.
        await using api = createClient({
          baseURL: nginx.https,
          core,
          pool: { allowH2: true, connections: 1, connect: { ca: pki.ca.cert } },
        })
        const calls = ids(100, `${core}-hundred-`)
        const answers = await Promise.all(calls.map((id) => post(api, id)))
        expect(answers.map((res) => [res.status, res.data.created])).toEqual(calls.map((id) => [201, id]))
        const log = await logged(`${core}-hundred-`)
        expect(log.length).toBe(100)
        expect(log.map((entry) => entry.requestId).sort()).toEqual([...calls].sort())
        expect(log.every((entry) => entry.status === 201 && entry.protocol === 'HTTP/2.0')).toBe(true)
      })

      it('answers the POST that nginx sent its GOAWAY on, and sends the next on a new connection', async () => {
        await using api = h2()
        const calls = ids(LIMIT + 1, `${core}-last-`)
        for (const id of calls) expect((await post(api, id)).data.created).toBe(id)
        const log = await logged(`${core}-last-`)
        expect(log.map((entry) => [entry.requestId, entry.status])).toEqual(calls.map((id) => [id, 201]))
        expect(log.map((entry) => entry.connectionRequests)).toEqual([...Array.from({ length: LIMIT }, (_, i) => i + 1), 1])
      })

      it('sequential POSTs across several GOAWAYs: each answered, each processed once, each connection used up to the limit', async () => {
        await using api = h2()
        const calls = ids(2 * LIMIT + 5, `${core}-seq-`)
        for (const id of calls) await post(api, id)
        const log = await logged(`${core}-seq-`)
        expect(log.map((entry) => entry.requestId)).toEqual(calls)
        expect(perConnection(log)).toEqual([LIMIT, LIMIT, 5])
      })

      it('a burst of POSTs as streams of one connection after another, across their GOAWAYs: each answered and processed once', async () => {
        await using api = h2()
        const calls = ids(3 * LIMIT, `${core}-post-`)
        const answers = await Promise.all(calls.map((id) => post(api, id)))
        expect(answers.map((res) => res.data.created)).toEqual(calls)
        const log = await logged(`${core}-post-`)
        expect(log.map((entry) => entry.requestId).sort()).toEqual([...calls].sort())
        expect(perConnection(log)).toEqual([LIMIT, LIMIT, LIMIT])
      })

      it('a burst of GETs as streams of one connection after another, across their GOAWAYs: each answered and processed once', async () => {
        await using api = h2()
        const calls = ids(3 * LIMIT, `${core}-get-`)
        const answers = await Promise.all(calls.map((id) => get(api, id)))
        expect(answers.map((res) => res.data.id)).toEqual(calls)
        const log = await logged(`${core}-get-`)
        expect(log.map((entry) => entry.requestId).sort()).toEqual([...calls].sort())
        expect(perConnection(log)).toEqual([LIMIT, LIMIT, LIMIT])
      })

      it('bursts of POSTs and GETs, one after another, across several GOAWAYs: each answered and processed once', async () => {
        await using api = h2()
        const calls = ids(6 * LIMIT, `${core}-mix-`)
        for (let i = 0; i < calls.length; i += 15) {
          const burst = calls.slice(i, i + 15)
          await Promise.all(burst.map((id, j) => (j % 2 ? get(api, id) : post(api, id))))
        }
        const log = await logged(`${core}-mix-`)
        expect(log.map((entry) => entry.requestId).sort()).toEqual([...calls].sort())
        expect(Math.max(...log.map((entry) => entry.connectionRequests))).toBe(LIMIT)
      })
    })
  }
})
