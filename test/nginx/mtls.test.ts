// Mutual TLS as nginx does it (`ssl_verify_client on`): the handshake completes and nginx answers
// 400 with a page naming its internal status 496 ("No required SSL certificate was sent") or 495
// ("The SSL certificate error"). Servers that refuse in the handshake instead (node:https, Go,
// Apache, Envoy) are covered by test/tls.test.ts. Both cores, HTTP/1.1 and HTTP/2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { certificateRefusal } from '../../src/errors/tls-errors.js'
import { createClient, type HTTPError, isHTTPError } from '../../src/index.js'
import { type Nginx, nginxMissing, startNginx } from '../helpers/nginx.js'
import { startServer } from '../helpers/server.js'
import { type TestPKI, testPKI } from '../helpers/tls.js'

let nginx: Nginx
let pki: TestPKI

async function rejection(promise: Promise<unknown>): Promise<HTTPError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isHTTPError(error), String(error)).toBe(true)
  return error as HTTPError
}

describe.skipIf(nginxMissing())('nginx with ssl_verify_client on', () => {
  beforeAll(async () => {
    pki = await testPKI()
    nginx = await startNginx({ pki })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    for (const allowH2 of [false, true]) {
      describe(`${core} core, ${allowH2 ? 'HTTP/2' : 'HTTP/1.1'}`, () => {
        it('says no client certificate was sent, names the fix, tlsFailure: refused', async () => {
          await using api = createClient({ baseURL: nginx.mtls, core, pool: { allowH2, connect: { ca: pki.ca.cert } } })
          const error = await rejection(api.get('/json'))
          expect(error.status).toBe(400)
          expect(error.tlsFailure).toBe('refused')
          expect(error.message).toContain('no client certificate was sent')
          expect(error.message).toContain('pool: { connect: { cert, key } }')
          expect(error.toJSON()).toMatchObject({ status: 400, tlsFailure: 'refused' })
        })

        it('says a certificate from a CA nginx does not trust was not accepted', async () => {
          await using api = createClient({ baseURL: nginx.mtls, core, pool: { allowH2, connect: { ...pki.stranger, ca: pki.ca.cert } } })
          const error = await rejection(api.get('/json'))
          expect(error.tlsFailure).toBe('refused')
          expect(error.message).toContain('did not accept the client certificate')
          expect(error.message).not.toContain(pki.stranger.key.slice(40, 80))
        })

        it('gets through with the certificate nginx trusts', async () => {
          await using api = createClient({ baseURL: nginx.mtls, core, pool: { allowH2, connect: { ...pki.client, ca: pki.ca.cert } } })
          expect((await api.get('/json')).data).toEqual({ ok: true })
        })
      })
    }
  }
})

describe('certificateRefusal', () => {
  it('reads statuses 495 and 496 passed through by an error_page', async () => {
    const server = await startServer([496, 495])
    await using api = createClient({ baseURL: server.url })
    expect((await rejection(api.get('/'))).message).toContain('no client certificate was sent')
    expect((await rejection(api.get('/'))).message).toContain('did not accept the client certificate')
  })

  it('leaves an ordinary 400 alone', async () => {
    const server = await startServer({
      status: 400,
      body: '<html><title>400 Bad Request</title></html>',
      headers: { 'content-type': 'text/html' },
    })
    await using api = createClient({ baseURL: server.url })
    const error = await rejection(api.get('/'))
    expect(error.tlsFailure).toBeUndefined()
    expect(error.message).toMatch(/answered 400 Bad Request$/)
    expect(certificateRefusal(400, { error: 'No required SSL certificate was sent' })).toBeUndefined()
  })
})
