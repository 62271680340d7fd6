// How a call's headers merge over the client's (issue 23 items 4 and 7), on both cores, against a
// real nginx 1.22 that answers with the request's header block exactly as it arrived (the echo
// module's $echo_client_request_headers, HTTP/1.1). Pairs append as `Headers.append` does (the
// WHATWG Fetch "append" steps: one field, values joined by ", ", which RFC 9110 §5.3 makes equal
// to repeated lines); in an object `undefined` is "not given" and `null` removes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, type HeadersInput } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { testPKI } from './helpers/tls.js'

describe.skipIf(nginxMissing())('headers merged over the client’s, against nginx', () => {
  let nginx: Nginx
  beforeAll(async () => {
    nginx = await startNginx({
      pki: await testPKI(),
      locations: 'location = /raw { default_type text/plain; echo $echo_client_request_headers; }',
    })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      /** The header lines named `name` that nginx received, as `name: value` in lower case. */
      const sent = async (name: string, client: Partial<ClientOptions>, headers?: HeadersInput): Promise<string[]> => {
        await using api = createClient({ baseURL: nginx.http, core, ...client })
        const { data } = await api.get<string>('/raw', { responseType: 'text', ...(headers === undefined ? {} : { headers }) })
        return data
          .split('\r\n')
          .filter((line) => line.toLowerCase().startsWith(`${name}:`))
          .map((line) => line.toLowerCase())
      }

      it('sends every value of repeated [name, value] pairs on a call, replacing the client’s value', async () => {
        const pairs: HeadersInput = [
          ['Accept', 'application/vnd.a+json'],
          ['accept', 'application/vnd.b+json'],
        ]
        expect(await sent('accept', { headers: { accept: 'text/html' } }, pairs)).toEqual([
          'accept: application/vnd.a+json, application/vnd.b+json',
        ])
      })

      it('sends every value of repeated pairs given to the client, over its default accept', async () => {
        const headers: HeadersInput = [
          ['x-tag', 'a'],
          ['x-tag', 'b'],
          ['accept', 'text/csv'],
          ['accept', 'text/plain'],
        ]
        expect(await sent('x-tag', { headers })).toEqual(['x-tag: a, b'])
        expect(await sent('accept', { headers })).toEqual(['accept: text/csv, text/plain'])
      })

      it('keeps the client’s header when a call gives it as undefined, and removes it when given as null', async () => {
        const client = { headers: { authorization: 'Bearer client' } }
        const maybeToken: string | undefined = undefined
        expect(await sent('authorization', client, { authorization: maybeToken })).toEqual(['authorization: bearer client'])
        expect(await sent('authorization', client, [['authorization', undefined]])).toEqual(['authorization: bearer client'])
        expect(await sent('authorization', client, { authorization: null })).toEqual([])
        expect(await sent('authorization', client, [['authorization', null]])).toEqual([])
      })
    })
  }
})
