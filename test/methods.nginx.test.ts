// Methods on the wire, against a real nginx, on both cores and on HTTP/1.1 and HTTP/2 (issue 23,
// item 8): the cores send the same methods, the same way, and refuse the same ones before anything
// leaves. fetch forbids CONNECT, TRACE and TRACK (https://fetch.spec.whatwg.org/#forbidden-method),
// so the fetch core cannot send them on any runtime; the undici core refuses them too. Cases after
// the web-platform-tests xhr/open-method-insecure.htm (the forbidden methods in any case) and
// xhr/open-method-bogus.htm (methods that are no token), and openapi-fetch's TRACE test (which
// only records that fetch on Node refuses it), in our own words. nginx is why a method goes out
// upper-case: it answers a lower-case one with 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { type TestPKI, testPKI } from './helpers/tls.js'

// Any method nginx does not know is answered here as any other (`return` runs before nginx looks
// at the method), so the method it saw comes back.
const LOCATIONS = `
    location /method { default_type application/json; return 200 '{"method":"$request_method"}'; }
`

describe.skipIf(nginxMissing())('methods against nginx', () => {
  let nginx: Nginx
  let pki: TestPKI
  beforeAll(async () => {
    pki = await testPKI()
    nginx = await startNginx({ pki, locations: LOCATIONS })
  })
  afterAll(() => nginx?.stop())

  /** How many requests nginx logged for `path`. */
  const logged = async (path: string) => (await nginx.settledLog()).filter((entry) => entry.uri === path).length

  for (const core of ['fetch', 'undici'] as const) {
    for (const protocol of ['HTTP/1.1', 'HTTP/2.0'] as const) {
      describe(`${core} core, ${protocol}`, () => {
        const base = () => (protocol === 'HTTP/2.0' ? nginx.https : nginx.http)
        const client = (options: Partial<ClientOptions> = {}) =>
          createClient({ baseURL: base(), core, pool: { allowH2: true, connect: { ca: pki.ca.cert } }, ...options })
        const path = (what: string) => `/method/${core}-${protocol.replace('/', '')}-${what}`

        it('refuses CONNECT, TRACE and TRACK, in any case, with a TypeError naming the method, before anything is sent', async () => {
          await using api = client()
          for (const method of ['CONNECT', 'TRACE', 'TRACK', 'connect', 'trace', 'trAck', 'connECT']) {
            const error = await api.request(method, path('forbidden'), { timeout: 2_000 }).catch((e: unknown) => e)
            expect(error, method).toBeInstanceOf(TypeError)
            expect((error as Error).message).toContain(`method ${method.toUpperCase()} is not sent`)
          }
          expect(await logged(path('forbidden'))).toBe(0)
        })

        it('sends a lower-case method upper-case: patch as PATCH, propfind as PROPFIND', async () => {
          await using api = client()
          for (const [given, sent] of [
            ['patch', 'PATCH'],
            ['get', 'GET'],
            ['propfind', 'PROPFIND'],
            ['Query', 'QUERY'],
          ]) {
            const res = await api.request<{ method: string }>(given as string, path(`case-${given}`))
            expect([res.status, res.data.method, res.request.method]).toEqual([200, sent, sent])
          }
        })

        it('sends an extension method as written: PROPFIND, QUERY, MKCALENDAR, M-SEARCH', async () => {
          await using api = client()
          for (const method of ['PROPFIND', 'QUERY', 'MKCALENDAR', 'M-SEARCH']) {
            const res = await api.request<{ method: string }>(method, path(`ext-${method}`))
            expect([res.status, res.data.method]).toEqual([200, method])
          }
          const protocols = (await nginx.settledLog()).filter((entry) => entry.uri.startsWith(path('ext-'))).map((entry) => entry.protocol)
          expect(new Set(protocols)).toEqual(new Set([protocol]))
        })

        it('refuses a method that is no token with a TypeError, before anything is sent', async () => {
          await using api = client()
          for (const method of ['', ' ', 'GE T', 'GET\r\nX-Injected: 1', 'A,B', '(', '"', 'GET/', 'ÄNDERN', 'GET\0']) {
            const error = await api.request(method, path('bogus')).catch((e: unknown) => e)
            expect(error, JSON.stringify(method)).toBeInstanceOf(TypeError)
            expect((error as Error).message).toContain('method must be an HTTP method token')
          }
          expect(await logged(path('bogus'))).toBe(0)
        })
      })
    }
  }
})
