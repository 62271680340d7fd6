import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { countingRelay } from './helpers/relay.js'
import { type TestPKI, testPKI } from './helpers/tls.js'

type Big = { items: { id: number; name: string }[] }
/** `/big` as nginx has it on disk: 2,000 items. */
const BIG_BYTES = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `item ${i}` })) }).length

describe.skipIf(nginxMissing())('Content-Encoding against nginx', () => {
  let nginx: Nginx
  let pki: TestPKI
  beforeAll(async () => {
    pki = await testPKI()
    const accept = `location = /accept { default_type application/json; return 200 '{"accept":"$http_accept_encoding"}'; }`
    // A 302 whose HTML nginx labels gzip, as a misconfigured proxy might: its body is never read.
    const mislabelled = 'location = /mislabelled { add_header Content-Encoding gzip; return 302 /big; }'
    nginx = await startNginx({ pki, locations: accept + mislabelled })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      const client = (baseURL: string, options: Partial<ClientOptions> = {}) =>
        createClient({ baseURL, core, pool: { connect: { ca: pki.ca.cert } }, ...options })

      it('asks nginx for gzip and deflate over HTTP, and br too over TLS', async () => {
        await using plain = client(nginx.http)
        await using tls = client(nginx.https)
        expect((await plain.get('/accept')).data).toEqual({ accept: 'gzip, deflate' })
        expect((await tls.get('/accept')).data).toEqual({ accept: 'br, gzip, deflate' })
      })

      it("decodes nginx's gzip over HTTP", async () => {
        await using api = client(nginx.http)
        const res = await api.get<Big>('/big')
        expect(res.headers.get('content-encoding')).toBe('gzip')
        expect(res.data.items).toHaveLength(2000)
      })

      it("decodes nginx's br over TLS and HTTP/2", async () => {
        await using api = client(nginx.https)
        const res = await api.get<Big>('/big')
        expect(res.headers.get('content-encoding')).toBe('br')
        expect(res.data.items[1999]).toEqual({ id: 1999, name: 'item 1999' })
      })

      it('decodes the answer a redirect leads to, never the redirect', async () => {
        await using api = client(nginx.http)
        for (const path of ['/to?url=/big', '/mislabelled']) {
          const res = await api.get<Big>(path)
          expect([res.status, res.headers.get('content-encoding')]).toEqual([200, 'gzip'])
          expect(res.data.items).toHaveLength(2000)
        }
      })

      it("decodes nginx's gzip and br as a stream", async () => {
        for (const [base, coding] of [
          [nginx.http, 'gzip'],
          [nginx.https, 'br'],
        ] as const) {
          await using api = client(base)
          const res = await api.get<ReadableStream<Uint8Array>>('/big', { responseType: 'stream' })
          expect(res.headers.get('content-encoding')).toBe(coding)
          expect(((await new Response(res.data).json()) as Big).items).toHaveLength(2000)
        }
      })

      it('moves a fraction of the bytes of the answer it reads', async () => {
        const relay = await countingRelay(Number(new URL(nginx.http).port))
        try {
          await using api = client(relay.url)
          for (let i = 0; i < 10; i++) expect((await api.get<Big>('/big')).data.items).toHaveLength(2000)
          expect(relay.received()).toBeLessThan((10 * BIG_BYTES) / 4)
        } finally {
          await relay.close()
        }
      })

      it('gets the answer as stored when the caller asks for identity', async () => {
        const relay = await countingRelay(Number(new URL(nginx.http).port))
        try {
          await using api = client(relay.url, { headers: { 'accept-encoding': 'identity' } })
          const res = await api.get<Big>('/big')
          expect(res.headers.get('content-encoding')).toBeNull()
          expect(res.data.items).toHaveLength(2000)
          expect(relay.received()).toBeGreaterThan(BIG_BYTES)
        } finally {
          await relay.close()
        }
      })
    })
  }
})
