// Redirects against a real nginx, on both cores: one policy (src/request/redirect-policy.ts), the same
// limit and the same headers crossing origins. http://127.0.0.1:PORT and http://localhost:PORT are
// two origins of one nginx; its https server is a third (https → http to the same host is a
// change of origin too). Cases ported from got's test/redirects.ts (endless redirects throw
// MaxRedirectsError, a custom limit, https → http, a UTF-8 Location sent as bytes), ky's
// test/http-redirects.ts (the method and body table of fetch §4.5) and undici's
// test/redirect-cross-origin-header.js (credentials cleared across origins); the pure cases are in
// test/redirect-policy.test.ts.
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redact } from '../middleware/index.js'
import { type ClientOptions, createClient, isMaxRedirectsError, type MaxRedirectsError } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { type TestPKI, testPKI } from './helpers/tls.js'

// What reaches /seen, and where every kind of redirect nginx sends points (`$arg_url` is not
// decoded: the URL goes into the query as it is).
const LOCATIONS = `
    location = /seen { default_type application/json; return 200 '{"x-api-key":"$http_x_api_key","api-key":"$http_api_key","x-vendor-token":"$http_x_vendor_token","x-tenant-id":"$http_x_tenant_id","authorization":"$http_authorization","cookie":"$http_cookie","x-trace":"$http_x_trace"}'; }
    location = /to301 { return 301 $arg_url; }
    location = /to303 { return 303 $arg_url; }
    location = /to307 { return 307 $arg_url; }
    location = /to308 { return 308 $arg_url; }
    location = /body { echo_read_request_body; default_type text/plain; echo "$request_method|$http_content_type|$http_content_language|$request_body"; }
    location = /loop-query { return 302 /loop-query$is_args$args; }
    location = /utf8 { return 302 "/utf8-é"; }
    location = "/utf8-é" { default_type application/json; return 200 '{"uri":"$request_uri"}'; }
`
const SECRETS = { 'x-api-key': 'K-client', 'api-key': 'K-call', 'x-tenant-id': 'K-declared', 'x-vendor-token': 'K-vendor' }
const HIDDEN = { 'x-api-key': '', 'api-key': '', 'x-tenant-id': '', 'x-vendor-token': '', authorization: '', cookie: '' }

describe.skipIf(nginxMissing())('redirects against nginx', () => {
  let nginx: Nginx
  let pki: TestPKI
  let localhost: string
  beforeAll(async () => {
    pki = await testPKI()
    nginx = await startNginx({ pki, locations: LOCATIONS })
    localhost = nginx.http.replace('127.0.0.1', 'localhost')
  })
  afterAll(() => nginx?.stop())

  /** Requests nginx logged for `path` (query left out) since `from` (an index in the log). */
  const hits = async (path: string, from = 0) => (await nginx.settledLog()).slice(from).filter((entry) => entry.uri.split('?')[0] === path)

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const client = (baseURL: string, options: Partial<ClientOptions> = {}) =>
        createClient({ baseURL, core, pool: { connect: { ca: pki.ca.cert } }, ...options })
      /** A client whose calls carry a client-level key, a per-call key and a header redact() declares secret. */
      const keyed = async (baseURL: string, to: string) => {
        await using api = client(baseURL, {
          headers: { 'x-api-key': SECRETS['x-api-key'], 'x-trace': 'keep' },
          middleware: [redact({ headers: ['x-tenant-id'] })],
        })
        const { 'x-api-key': _, ...perCall } = SECRETS
        const res = await api.get<Record<string, string>>(`/to?url=${to}`, { headers: perCall })
        return res
      }

      it('rejects with MaxRedirectsError past 20 redirects, after 21 requests', async () => {
        await using api = client(nginx.http)
        const from = (await nginx.settledLog()).length
        const error = (await api.get('/loop').catch((e: unknown) => e)) as MaxRedirectsError
        expect(isMaxRedirectsError(error)).toBe(true)
        expect(error).toMatchObject({ code: 'FL_ERR_MAX_REDIRECTS', limit: 20, status: 302, location: `${nginx.http}/loop` })
        expect(error.message).toBe(
          `GET ${nginx.http}/loop was redirected 20 times, the limit (maxRedirects), and answered 302 again, to ${nginx.http}/loop`,
        )
        expect(await hits('/loop', from)).toHaveLength(21)
      })

      it('follows at most maxRedirects, and none with 0: the 302 is the answer', async () => {
        await using three = client(nginx.http, { maxRedirects: 3 })
        const from = (await nginx.settledLog()).length
        await expect(three.get('/loop')).rejects.toMatchObject({ name: 'MaxRedirectsError', limit: 3 })
        expect(await hits('/loop', from)).toHaveLength(4)
        await using none = client(nginx.http, { maxRedirects: 0 })
        const res = await none.get('/loop')
        expect([res.status, res.headers.get('location'), res.url]).toEqual([302, `${nginx.http}/loop`, `${nginx.http}/loop`])
        expect(await hits('/loop', from)).toHaveLength(5)
      })

      it('never shows a secret query value of the Location it stopped at', async () => {
        await using api = client(nginx.http, { maxRedirects: 2 })
        const error = (await api.get('/loop-query?access_token=Zq-LOOP-SECRET&page=1').catch((e: unknown) => e)) as MaxRedirectsError
        expect(error.location).toBe(`${nginx.http}/loop-query?access_token=***REDACTED***&page=1`)
        for (const text of [error.message, error.stack, JSON.stringify(error), inspect(error, { showHidden: true, depth: 8 })]) {
          expect(text).not.toContain('Zq-LOOP-SECRET')
        }
      })

      it('sends no secret header to another origin: client-level, per-call, built-in and declared by redact()', async () => {
        const res = await keyed(nginx.http, `${localhost}/seen`)
        expect(res.url).toBe(`${localhost}/seen`)
        expect(res.data).toEqual({ ...HIDDEN, 'x-trace': 'keep' })
      })

      it('sends every header on to the same origin', async () => {
        const res = await keyed(nginx.http, `${nginx.http}/seen`)
        expect(res.data).toEqual({ ...SECRETS, authorization: '', cookie: '', 'x-trace': 'keep' })
      })

      it('sends no secret header over an https → http redirect to the same host', async () => {
        const res = await keyed(nginx.https, `${nginx.http}/seen`)
        expect(res.url).toBe(`${nginx.http}/seen`)
        expect(res.data).toEqual({ ...HIDDEN, 'x-trace': 'keep' })
      })

      for (const [status, method, after] of [
        [301, 'POST', 'GET'],
        [302, 'POST', 'GET'],
        [303, 'POST', 'GET'],
        [303, 'PUT', 'GET'],
        [301, 'PUT', 'PUT'],
        [302, 'PATCH', 'PATCH'],
        [307, 'POST', 'POST'],
        [308, 'PUT', 'PUT'],
      ] as const) {
        it(`sends ${method} on as ${after} after a ${status}, with its body and body headers only when it stays ${method}`, async () => {
          await using api = client(nginx.http)
          const res = await api.request<string>(method, `/to${status === 302 ? '' : status}?url=${nginx.http}/body`, {
            body: 'redirect payload',
            headers: { 'content-type': 'text/plain', 'content-language': 'en' },
            responseType: 'text',
          })
          expect(res.data.trim()).toBe(after === 'GET' ? 'GET|||' : `${method}|text/plain|en|redirect payload`)
        })
      }

      it('follows a Location that nginx sends as raw UTF-8 bytes', async () => {
        await using api = client(nginx.http)
        const res = await api.get<{ uri: string }>('/utf8')
        expect(res.data.uri).toBe('/utf8-%C3%A9')
      })
    })
  }
})
