// maxResponseSize against a real nginx: a 1 GiB file of zeros served as JSON, which nginx
// compresses as it sends it (gzip, over HTTP/1.1 and over TLS and HTTP/2): both cores stop at the
// limit, counted decoded, and the bytes that came over the wire (counted by a TCP relay in front
// of nginx's HTTP/1.1 server) are a small part of the whole. The node:http cases, with a bomb of
// our own, are in response-size.test.ts.
import { chmodSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, MaxResponseSizeError } from '../src/index.js'
import { type Nginx, nginxMissing, startNginx } from './helpers/nginx.js'
import { countingRelay } from './helpers/relay.js'
import { type TestPKI, testPKI } from './helpers/tls.js'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

describe.skipIf(nginxMissing())('maxResponseSize against nginx', () => {
  let nginx: Nginx
  let pki: TestPKI
  let dir: string
  beforeAll(async () => {
    pki = await testPKI()
    dir = mkdtempSync(join(tmpdir(), 'fetchline-zeros-'))
    chmodSync(dir, 0o755) // nginx's workers run as nobody when the tests run as root
    const zeros = join(dir, 'zeros.json')
    writeFileSync(zeros, '')
    truncateSync(zeros, GiB) // 1 GiB of zeros, sparse: nothing on disk
    chmodSync(zeros, 0o644)
    nginx = await startNginx({ pki, locations: `location = /zeros { default_type application/json; alias ${zeros}; }` })
  })
  afterAll(async () => {
    await nginx?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      it("stops nginx's gzip of a 1 GiB file at the limit, a small part of it on the wire", async () => {
        const relay = await countingRelay(Number(new URL(nginx.http).port))
        try {
          await using api = createClient({ baseURL: relay.url, core, maxResponseSize: 8 * MiB })
          const error = (await api.get('/zeros').catch((e: unknown) => e)) as MaxResponseSizeError
          expect(error).toBeInstanceOf(MaxResponseSizeError)
          expect(error.limit).toBe(8 * MiB)
          expect(error.received).toBeGreaterThan(8 * MiB)
          expect(error.received).toBeLessThan(10 * MiB)
          // nginx's gzip (level 1) makes ~4.5 MB of 1 GiB of zeros: ~36 KB is 8 MiB of them. What
          // more crosses the relay before the client's cancel lands is socket buffers filled while
          // the client was busy decoding: 1.27 MB once on a loaded CI machine. Under half the whole
          // proves the read stopped; the whole would be 4.5 MB.
          expect(relay.received()).toBeLessThan(2 * MiB)
        } finally {
          await relay.close()
        }
      }, 30_000)

      it("stops nginx's gzip over TLS and HTTP/2 at the limit, and the session serves the next call", async () => {
        await using api = createClient({
          baseURL: nginx.https,
          core,
          maxResponseSize: 8 * MiB,
          pool: { connect: { ca: pki.ca.cert }, allowH2: true },
        })
        // gzip, not br: nginx's brotli hands out its first bytes only after compressing much of the file.
        const error = (await api.get('/zeros', { headers: { 'accept-encoding': 'gzip' } }).catch((e: unknown) => e)) as MaxResponseSizeError
        expect(error).toBeInstanceOf(MaxResponseSizeError)
        expect(error.received).toBeGreaterThan(8 * MiB)
        expect(error.received).toBeLessThan(10 * MiB)
        const next = await api.get('/json')
        expect([next.data, (await nginx.settledLog()).at(-1)?.protocol]).toEqual([{ ok: true }, 'HTTP/2.0'])
      }, 30_000)
    })
  }
})
