// What a call's query looks like on the wire (issue 23 items 5 and 6), on both cores, against a
// real nginx 1.22 that answers with the raw request URI it received (`$request_uri`, never
// decoded or normalised), over HTTP/1.1 and over TLS with HTTP/2; and what a real query parser
// makes of it: Express 5 with its "extended" parser (qs, as Stripe-style and Rails-style servers
// parse brackets), so percent-encoded brackets are shown to come back as the nested values sent.
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type QueryFormat } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { type TestPKI, testPKI } from './helpers/tls.js'

const URI = `default_type text/plain; return 200 $request_uri;`

describe.skipIf(nginxMissing())('query on the wire, against nginx', () => {
  let nginx: Nginx
  let pki: TestPKI
  beforeAll(async () => {
    pki = await testPKI()
    nginx = await startNginx({ pki, locations: `location /q { ${URI} } location /v4 { ${URI} }` })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const uri = async (baseURL: string, path: string, options: object = {}, client: object = {}): Promise<string> => {
        await using api = createClient({ baseURL, core, ...client })
        return (await api.get<string>(path, { ...options, responseType: 'text' })).data
      }

      it('sends a space as %20 and every reserved character percent-encoded (RFC 3986), over HTTP/1.1 and HTTP/2', async () => {
        const h2 = { pool: { allowH2: true, connect: { ca: pki.ca.cert } } }
        for (const [base, client] of [
          [nginx.http, {}],
          [nginx.https, h2],
        ] as const) {
          expect(await uri(base, '/q', { query: { q: "ada lovelace & co's (1)" } }, client)).toBe(
            '/q?q=ada%20lovelace%20%26%20co%27s%20%281%29',
          )
        }
      })

      it("sends a space as + with queryFormat: { space: '+' }, as URLSearchParams would", async () => {
        expect(await uri(nginx.http, '/q', { query: { q: 'a b' }, queryFormat: { space: '+' } })).toBe('/q?q=a+b')
      })

      it.each([
        [{ array: 'form' }, '/q?ids=1&ids=2'],
        [{ array: 'comma' }, '/q?ids=1,2'],
        [{ array: 'spaceDelimited' }, '/q?ids=1%202'],
        [{ array: 'pipeDelimited' }, '/q?ids=1%7C2'],
        [{ array: 'brackets' }, '/q?ids%5B%5D=1&ids%5B%5D=2'],
        [{ array: 'indices' }, '/q?ids%5B0%5D=1&ids%5B1%5D=2'],
      ] as [QueryFormat, string][])('sends an array with %o as %s', async (queryFormat, want) => {
        expect(await uri(nginx.http, '/q', { query: { ids: [1, 2] }, queryFormat })).toBe(want)
      })

      it.each([
        [{ object: 'deepObject' }, '/q?filter%5Bname%5D=ada'],
        [{ object: 'form' }, '/q?name=ada'],
        [{ object: 'comma' }, '/q?filter=name,ada'],
      ] as [QueryFormat, string][])('sends an object with %o as %s', async (queryFormat, want) => {
        expect(await uri(nginx.http, '/q', { query: { filter: { name: 'ada' } }, queryFormat })).toBe(want)
      })

      it("takes the client's queryFormat as the default, and a call's over it key by key", async () => {
        await using api = createClient({ baseURL: nginx.http, core, queryFormat: { array: 'brackets', space: '+' } })
        const sent = async (options: object): Promise<string> => (await api.get<string>('/q', { ...options, responseType: 'text' })).data
        expect(await sent({ query: { ids: [1], q: 'a b' } })).toBe('/q?ids%5B%5D=1&q=a+b')
        expect(await sent({ query: { ids: [1], q: 'a b' }, queryFormat: { space: '%20' } })).toBe('/q?ids%5B%5D=1&q=a%20b')
      })

      it("keeps the baseURL's query and puts the call's after it (Azure's api-version)", async () => {
        const base = `${nginx.http}/v4?api-version=2024-01-01`
        expect(await uri(base, '/items', { query: { page: 2 } })).toBe('/v4/items?api-version=2024-01-01&page=2')
        expect(await uri(base, 'items')).toBe('/v4/items?api-version=2024-01-01')
        expect(await uri(base, '')).toBe('/v4?api-version=2024-01-01')
        // An absolute URL (a next-page link) carries its own query: the baseURL's is not added.
        expect(await uri(base, `${nginx.http}/v4/items?api-version=2024-01-01&skip=10`, { query: { page: 2 } })).toBe(
          '/v4/items?api-version=2024-01-01&skip=10&page=2',
        )
      })

      it("puts the baseURL's query first, then the path's, then the call's, each as written", async () => {
        const base = `${nginx.http}/v4?api-version=2024-01-01&sig=a%20b`
        expect(await uri(base, '/items?$top=5#frag', { query: { page: 2 } })).toBe(
          '/v4/items?api-version=2024-01-01&sig=a%20b&$top=5&page=2',
        )
      })
    })
  }
})

describe('query through a real parser: Express 5, extended (qs)', () => {
  let url: string
  let close: () => Promise<void>
  beforeAll(async () => {
    const app = express()
    app.set('query parser', 'extended')
    app.get('/q', (req, res) => {
      res.json(req.query)
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => new Promise((resolve) => server.close(() => resolve()))
  })
  afterAll(() => close?.())

  for (const core of ['fetch', 'undici'] as const) {
    it(`reads back Stripe's and JSON:API's nested shapes as sent (${core} core)`, async () => {
      await using api = createClient({ baseURL: url, core })
      const query = {
        expand: ['customer', 'invoice'],
        metadata: { order: 'a b+c' },
        items: [{ price: 'p1', quantity: 2 }, { price: 'p2' }],
        filter: { name: 'ada', tags: ['x', 'y'] },
      }
      const { data } = await api.get('/q', { query, queryFormat: { array: 'indices' } })
      expect(data).toEqual({
        expand: ['customer', 'invoice'],
        metadata: { order: 'a b+c' },
        items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }],
        filter: { name: 'ada', tags: ['x', 'y'] },
      })
      const brackets = await api.get('/q', { query: { expand: ['customer'], q: 'a b' }, queryFormat: { array: 'brackets' } })
      expect(brackets.data).toEqual({ expand: ['customer'], q: 'a b' })
    })
  }
})
