// A `params` value never moves a call out of its path, as a real nginx routes it. nginx decodes
// the path before it matches a location (`%2F` becomes `/`), then resolves dot segments and
// merges `//`: `/v1/users/..%2Fadmin/orders` is its `/v1/admin/orders`. So a value is safe only
// if nothing in it, decoded, is a dot segment: what src/request/params.ts refuses. Checked here with
// hand-picked values and with random strings over the characters that matter (fast-check), on
// both cores; every accepted value must land in `location /v1/users/` with a path that still
// ends in `/orders`, and every refused one must leave no line in nginx's access log (the log grows by exactly the calls
// sent).
// The cases of google/adk-python#7065 (`../../admin/secret` through servers decoding `%2F`) and
// Stainless's `path` tag (`.`, `..`, `%2e` segments) are among the hand-picked ones.
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createClient, isValidationError } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { testPKI } from './helpers/tls.js'

const LOCATIONS = `
    location /v1/users/ { default_type text/plain; return 200 'users $uri'; }
    location /v1/ { default_type text/plain; return 200 'elsewhere $uri'; }
`
const PICKED = ['..', '.', '/', '//', 'x/..', '../admin', '../../admin/secret', 'a/../../admin', 'a/%2F/..']
const SAFE = ['a/b', '/x', 'x/', 'a//b', 'a%2Fb', '..a', '...', '.env', 'a..b', '?q=1', '#f', '\u3002\u3002']
const CHARS = ['.', '.', '.', '/', '\\', '%', '2', 'e', 'E', 'f', '5', 'c', 'a', '?', '#', ' ', '\uFF0E', '\u2025']

describe.skipIf(nginxMissing())('params against nginx', () => {
  let nginx: Nginx
  beforeAll(async () => {
    nginx = await startNginx({ pki: await testPKI(), locations: LOCATIONS })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      // One client for the core, and nginx's log read once a test: what the client sent must be
      // exactly the calls it did not refuse (a refused value must leave no line).
      let api: ReturnType<typeof createClient>
      let logged = 0
      let sent = 0
      beforeAll(() => {
        api = createClient({ baseURL: `${nginx.http}/v1`, core })
      })
      afterAll(() => api?.close())
      beforeEach(async () => {
        logged = (await nginx.settledLog()).length
        sent = 0
      })
      afterEach(async () => {
        expect((await nginx.settledLog()).length - logged, 'requests nginx logged: the calls not refused').toBe(sent)
      })

      /** Where nginx routed `/v1/users/{id}/orders`, or 'refused' when the client sent nothing. */
      const route = async (id: string): Promise<string> => {
        try {
          const { data } = await api.get<string>('/users/{id}/orders', { params: { id }, responseType: 'text' })
          sent++
          return data
        } catch (error) {
          if (!isValidationError(error)) throw error
          return 'refused'
        }
      }
      const inBounds = (answer: string): boolean => answer === 'refused' || /^users \/v1\/users\/.+\/orders$/s.test(answer)

      it('refuses the values nginx would route out of /v1/users/ (dot segments, also after decoding %2F)', async () => {
        for (const id of PICKED) expect(await route(id), JSON.stringify(id)).toBe('refused')
      })

      it('sends the others, which nginx keeps under /v1/users/…/orders however it decodes them', async () => {
        for (const id of SAFE) expect(await route(id), JSON.stringify(id)).toMatch(/^users \/v1\/users\/.+\/orders$/s)
      })

      it('no string of dots, slashes, backslashes and escapes moves the call: refused, or in bounds', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 8 }), async (chars) => {
            const answer = await route(chars.join(''))
            expect(inBounds(answer), `${JSON.stringify(chars.join(''))} → ${answer}`).toBe(true)
          }),
          { numRuns: 300 },
        )
      }, 60_000)
    })
  }
})
