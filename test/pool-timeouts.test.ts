// The pool's own time limits, undici's headersTimeout and bodyTimeout, on both cores (issue 23,
// item 10): each is a TimeoutError saying which limit passed, how long it was and which option
// sets it, over HTTP/1.1 (against a real nginx that answers late or stalls mid-body) and over
// HTTP/2 (the agent of src/node/h2/ keeps both limits itself; against node:http2, as nginx cannot
// be closed after a cancelled HTTP/2 stream, see the report of issue 23); and retry() sends an
// idempotent call again after either, as after an attempt timeout. Cases after undici's
// test/request-timeout.js ("Headers timeout", "Body timeout") and got's test/timeout.ts ("response
// timeout", "retries on timeout"), in our own words. undici runs its HTTP/1.1 limits on timers that
// tick about twice a second, so a 100 ms limit passes there within about a second.
import type { ServerHttp2Stream } from 'node:http2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { retry } from '../middleware/retry.js'
import { type ClientOptions, createClient, isNetworkError, isTimeoutError, type TimeoutError } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { startH2Server, type TestPKI, testPKI } from './helpers/tls.js'

// /late answers after 3 s (its headers too); /stall sends a first chunk, then nothing for 3 s.
const LOCATIONS = `
    location /late { echo_sleep 3; default_type application/json; echo '{"late":true}'; }
    location /stall { default_type text/plain; echo "first chunk"; echo_flush; echo_sleep 3; echo "the rest"; }
`
const LIMITS = { headersTimeout: 100, bodyTimeout: 100 }

let pki: TestPKI
beforeAll(async () => {
  pki = await testPKI()
})

/** What `call` failed with (`undefined` when it did not fail). */
const failure = (call: Promise<unknown>): Promise<TimeoutError> =>
  call.then(
    () => undefined as never,
    (error: unknown) => error as TimeoutError,
  )

/** Asserts `error` is the TimeoutError of the pool's `limit`, 100 ms, named in its message. */
function expectPoolTimeout(error: TimeoutError, limit: 'headers' | 'body'): void {
  expect(isTimeoutError(error)).toBe(true)
  expect(isNetworkError(error)).toBe(false)
  expect([error.code, error.limit, error.timeout]).toEqual(['FL_ERR_TIMEOUT', limit, 100])
  expect(error.message).toContain(`timed out after 100 ms (the pool's ${limit}Timeout`)
}

describe.skipIf(nginxMissing())('HTTP/1.1, against nginx', () => {
  let nginx: Nginx
  beforeAll(async () => {
    nginx = await startNginx({ pki, locations: LOCATIONS })
  })
  afterAll(() => nginx?.stop())

  /** How many requests nginx logged for `path` so far (one given up on is logged when its answer ends). */
  const logged = (path: string) => nginx.accessLog().filter((entry) => entry.uri === path).length

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const client = (options: Partial<ClientOptions> = {}) => createClient({ baseURL: nginx.http, core, pool: LIMITS, ...options })

      it("fails an answer whose headers take longer than the pool's headersTimeout with a TimeoutError (limit 'headers')", async () => {
        await using api = client()
        expectPoolTimeout(await failure(api.get(`/late/${core}`)), 'headers')
      })

      it("fails a body that stalls past the pool's bodyTimeout with a TimeoutError (limit 'body') naming the option", async () => {
        await using api = client()
        expectPoolTimeout(await failure(api.get(`/stall/${core}`, { responseType: 'text' })), 'body')
      })

      it("retry() sends a GET again after the pool's headersTimeout or bodyTimeout, as after an attempt timeout", async () => {
        await using api = client({ middleware: [retry({ maxRetries: 1, delay: 1 })] })
        const [late, stalled] = await Promise.all([
          failure(api.get(`/late/${core}-retried`)),
          failure(api.get(`/stall/${core}-retried`, { responseType: 'text' })),
        ])
        expect([late.limit, stalled.limit]).toEqual(['headers', 'body'])
        await expect.poll(() => [logged(`/late/${core}-retried`), logged(`/stall/${core}-retried`)], { timeout: 8_000 }).toEqual([2, 2])
      }, 20_000)
    })
  }
})

describe('HTTP/2, against node:http2', () => {
  /** An h2-only server: `/late` never answers, `/stall` sends a first chunk and nothing more. */
  async function h2Server(hits: string[]) {
    const server = await startH2Server(pki)
    server.server.on('stream', (stream: ServerHttp2Stream, headers) => {
      const path = String(headers[':path'])
      hits.push(path)
      if (path.startsWith('/stall')) {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' })
        stream.write('first chunk')
      }
    })
    return server
  }

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const client = async (hits: string[], options: Partial<ClientOptions> = {}) =>
        createClient({
          baseURL: (await h2Server(hits)).url,
          core,
          pool: { allowH2: true, connect: { ca: pki.ca.cert }, ...LIMITS },
          ...options,
        })

      it("fails an answer whose headers take longer than the pool's headersTimeout with a TimeoutError (limit 'headers')", async () => {
        await using api = await client([])
        expectPoolTimeout(await failure(api.get('/late')), 'headers')
      })

      it("fails a body that stalls past the pool's bodyTimeout with a TimeoutError (limit 'body') naming the option", async () => {
        await using api = await client([])
        expectPoolTimeout(await failure(api.get('/stall', { responseType: 'text' })), 'body')
      })

      it("retry() sends a GET again after the pool's headersTimeout or bodyTimeout, as after an attempt timeout", async () => {
        const hits: string[] = []
        await using api = await client(hits, { middleware: [retry({ maxRetries: 1, delay: 1 })] })
        const late = await failure(api.get('/late'))
        const stalled = await failure(api.get('/stall', { responseType: 'text' }))
        expect([late.limit, stalled.limit]).toEqual(['headers', 'body'])
        expect(hits).toEqual(['/late', '/late', '/stall', '/stall'])
      })
    })
  }
})
