// Certificates made during the test run: a private CA, a server certificate it signs for
// 127.0.0.1 and localhost, and client certificates it signs. EC P-256 keys: fast to make.
import type { RequestListener } from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import type { AddressInfo, Server, Socket } from 'node:net'
import { generate } from 'selfsigned'
import { onTestFinished } from 'vitest'

export type Pems = { key: string; cert: string }

export type TestPKI = {
  /** The private CA (its certificate is what `ca` trusts). */
  ca: Pems
  /** The server's certificate, for 127.0.0.1 and localhost, signed by the CA. */
  server: Pems
  /** A client certificate signed by the CA, CN `fetchline test client`. */
  client: Pems
  /** The same client certificate's subject, with its key encrypted under `passphrase`. */
  encryptedClient: Pems & { passphrase: string }
  /** A client certificate signed by another CA, which the server does not trust. */
  stranger: Pems
}

const EC = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const

async function makeCA(cn: string): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    ...EC,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  })
  return { key: pems.private, cert: pems.cert }
}

async function makeLeaf(cn: string, ca: Pems, usage: 'server' | 'client', passphrase?: string): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    ...EC,
    ca,
    ...(passphrase === undefined ? {} : { passphrase }),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: usage === 'server', clientAuth: usage === 'client' },
      ...(usage === 'server'
        ? [
            {
              name: 'subjectAltName' as const,
              altNames: [
                { type: 7 as const, ip: '127.0.0.1' },
                { type: 2 as const, value: 'localhost' },
              ],
            },
          ]
        : []),
    ],
  })
  return { key: pems.private, cert: pems.cert }
}

let made: Promise<TestPKI> | undefined

/** The test PKI, made once per test file (each file runs in its own worker). */
export function testPKI(): Promise<TestPKI> {
  made ??= (async () => {
    const ca = await makeCA('fetchline test CA')
    const other = await makeCA('some other CA')
    const passphrase = 'correct horse battery staple'
    const [server, client, encrypted, stranger] = await Promise.all([
      makeLeaf('127.0.0.1', ca, 'server'),
      makeLeaf('fetchline test client', ca, 'client'),
      makeLeaf('fetchline test client', ca, 'client', passphrase),
      makeLeaf('stranger', other, 'client'),
    ])
    return { ca, server, client, encryptedClient: { ...encrypted, passphrase }, stranger }
  })()
  return made
}

export type TLSServer<S> = {
  /** `https://127.0.0.1:PORT` */
  url: string
  server: S
  close(): Promise<void>
}

async function listen<S extends Server>(server: S, close: () => void): Promise<TLSServer<S>> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      close()
      server.close(() => resolve())
    })
  onTestFinished(stop)
  return { url: `https://127.0.0.1:${port}`, server, close: stop }
}

/**
 * A node:https server on 127.0.0.1:0 with `options` (certificates, `requestCert`, …), closed by
 * the calling test's teardown.
 */
export async function startHTTPSServer(options: https.ServerOptions, handler: RequestListener): Promise<TLSServer<https.Server>> {
  const server = https.createServer(options, handler)
  const sockets = new Set<Socket>()
  server.on('secureConnection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return listen(server, () => {
    for (const socket of sockets) socket.destroy()
  })
}

/** A node:http2 TLS server (HTTP/2 only: no HTTP/1.1 fallback) on 127.0.0.1:0, with the test PKI's server certificate. */
export async function startH2Server(pki: TestPKI): Promise<TLSServer<http2.Http2SecureServer> & { sessions: http2.ServerHttp2Session[] }> {
  const server = http2.createSecureServer({ ...pki.server, allowHTTP1: false })
  const sessions: http2.ServerHttp2Session[] = []
  server.on('session', (session) => {
    sessions.push(session)
    // A client that resets or goes away is what these tests do on purpose.
    session.on('error', () => {})
  })
  server.on('stream', (stream) => stream.on('error', () => {}))
  const started = await listen(server, () => {
    for (const session of sessions) session.destroy()
  })
  return { ...started, sessions }
}
