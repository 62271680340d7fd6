// Client certificates and private CAs through `pool: { connect: { cert, key, ca } }`, on both
// cores, against a real node:https server that requires a client certificate. Certificates are
// made in the test (test/helpers/tls.ts). Cases after got's test/https.ts ("client certificate",
// "https request with ca", "https request with expired certificate") and undici's
// docs/best-practices/client-certificate.md + test/tls*.js, in our own words.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { inspect } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { log } from '../middleware/log.js'
import { retry } from '../middleware/retry.js'
import { findTLSFailure } from '../src/errors/tls-errors.js'
import { createClient, isNetworkError, type NetworkError } from '../src/index.js'
import { captureLogs } from './helpers/capture.js'
import { startHTTPSServer, type TestPKI, testPKI } from './helpers/tls.js'

let pki: TestPKI
beforeAll(async () => {
  pki = await testPKI()
})

/** Answers with the subject of the client certificate the TLS layer accepted. */
function whoAmI(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as TLSSocket
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ authorized: socket.authorized, subject: socket.getPeerCertificate().subject }))
}

/** A server that requires a client certificate signed by the test CA (mutual TLS). */
const mutualTLS = () => startHTTPSServer({ ...pki.server, requestCert: true, rejectUnauthorized: true, ca: [pki.ca.cert] }, whoAmI)

async function failure(promise: Promise<unknown>): Promise<NetworkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isNetworkError(error), String(error)).toBe(true)
  return error as NetworkError
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    it('sends the client certificate given in pool.connect; the server sees its subject', async () => {
      const server = await mutualTLS()
      await using api = createClient({ baseURL: server.url, core, pool: { connect: { ...pki.client, ca: pki.ca.cert } } })
      const res = await api.get<{ authorized: boolean; subject: { CN: string } }>('/me')
      expect(res.data).toEqual({ authorized: true, subject: { CN: 'fetchline test client' } })
    })

    it('takes a passphrase-protected key with connect.passphrase', async () => {
      const server = await mutualTLS()
      const { cert, key, passphrase } = pki.encryptedClient
      expect(key).toContain('ENCRYPTED PRIVATE KEY')
      await using api = createClient({ baseURL: server.url, core, pool: { connect: { cert, key, passphrase, ca: pki.ca.cert } } })
      expect((await api.get<{ subject: { CN: string } }>('/me')).data.subject.CN).toBe('fetchline test client')
    })

    it('trusts a private CA with connect.ca alone', async () => {
      const server = await startHTTPSServer(pki.server, (_req, res) => res.end('ok'))
      await using api = createClient({ baseURL: server.url, core, pool: { connect: { ca: pki.ca.cert } } })
      expect((await api.get('/')).data).toBe('ok')
    })

    it('without a client certificate: a NetworkError saying the server refused the handshake, not retried', async () => {
      const server = await mutualTLS()
      const retries: number[] = []
      await using api = createClient({
        baseURL: server.url,
        core,
        pool: { connect: { ca: pki.ca.cert } },
        middleware: [retry({ delay: 0, onRetry: (e) => retries.push(e.retry) })],
      })
      const error = await failure(api.get('/me'))
      // TLS 1.3: the server's certificate_required alert (116) arrives after the handshake; undici
      // alone reported "other side closed (UND_ERR_SOCKET)" and retried it three times.
      expect(error.message).toContain('the server refused the TLS handshake')
      expect(error.message).toContain('client certificate')
      expect(error.systemCode).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')
      expect(error.tlsFailure).toBe('refused')
      expect(error.cause).toBeDefined()
      expect(retries).toEqual([])
    })

    it('an untrusted server certificate: a NetworkError naming it and the ca fix, not retried', async () => {
      const server = await startHTTPSServer(pki.server, (_req, res) => res.end('ok'))
      const retries: number[] = []
      // got: test/https.ts "https request with expired certificate" (a certificate error is the error)
      await using api = createClient({
        baseURL: server.url,
        core,
        middleware: [retry({ delay: 0, onRetry: (e) => retries.push(e.retry) })],
      })
      const error = await failure(api.post('/pay', { json: { amount: 1 } }))
      expect(error.message).toContain("the server's TLS certificate was not accepted: unable to verify the first certificate")
      expect(error.message).toContain('pool: { connect: { ca } }')
      expect(error.systemCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE')
      expect(error.tlsFailure).toBe('certificate')
      expect(error.neverSent).toBe(true)
      expect(retries).toEqual([])
    })

    it('never shows the private key or its passphrase: client, response, error, cause, logs', async () => {
      const server = await mutualTLS()
      const { cert, key, passphrase } = pki.encryptedClient
      const logs = captureLogs(5)
      const secrets = [passphrase, key.split('\n')[1] as string, pki.client.key.split('\n')[1] as string]
      const seen: string[] = []
      for (const connect of [
        { cert, key, passphrase, ca: pki.ca.cert },
        { ca: pki.ca.cert, key: pki.client.key },
      ]) {
        await using api = createClient({ baseURL: server.url, core, pool: { connect }, middleware: [log({ logger: logs.logger })] })
        seen.push(inspect(api, { depth: 10 }), JSON.stringify(api) ?? '')
        const outcome = await api.get('/me').then(
          (res) => [inspect(res, { depth: 10 }), JSON.stringify(res)],
          (error: Error) => [
            inspect(error, { depth: 10 }),
            JSON.stringify(error),
            String(error.stack),
            inspect(error.cause, { depth: 10 }),
          ],
        )
        seen.push(...outcome)
      }
      seen.push(...logs.lines.map((line) => inspect(line, { depth: 10 })))
      expect(logs.messages('error').length).toBe(1) // the key without its certificate failed
      for (const text of seen) for (const secret of secrets) expect(text).not.toContain(secret)
    })
  })
}

describe('findTLSFailure', () => {
  const coded = (code: string, message: string, extra: object = {}) => Object.assign(new Error(message), { code, ...extra })

  it('names an expired or wrong-host certificate without suggesting ca', () => {
    // got: test/https.ts "https request with expired certificate" / "with wrong host"
    for (const code of ['CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      const found = findTLSFailure(new TypeError('fetch failed', { cause: coded(code, 'certificate has expired') }))
      expect(found?.kind).toBe('certificate')
      expect(found?.reason).not.toContain('connect: { ca }')
    }
  })

  it('reads a refusal alert in the cause chain, and leaves unrelated alerts and codes alone', () => {
    const alert = coded('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'long OpenSSL line', { reason: 'sslv3 alert handshake failure' })
    expect(findTLSFailure({ cause: alert })?.reason).toContain('(sslv3 alert handshake failure)')
    expect(findTLSFailure(coded('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'x'))).toBeUndefined()
    expect(findTLSFailure(coded('ECONNRESET', 'read ECONNRESET'))).toBeUndefined()
  })
})
