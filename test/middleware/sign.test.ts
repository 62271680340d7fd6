// sigv4() against a real node:http server that checks every signature again from what arrived
// (test/helpers/sigv4.ts, an implementation on node:crypto apart from ours), on both cores. The
// official vectors are in sign-vectors.test.ts. Cases after peers' reports: a retry carrying a
// stale signature (aws-sdk-go#486), no clock-skew correction (aws4fetch#73, aws-sdk-js-v3#2208),
// stream bodies that cannot be hashed (aws4fetch#36).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { idempotency, retry } from '../../middleware/index.js'
import { type AwsCredentials, type SigV4Options, sigv4 } from '../../middleware/sign.js'
import { type ClientRequest, type ClientResponse, createClient, type Middleware } from '../../src/index.js'
import { type Seen, startServer, type TestServer } from '../helpers/server.js'
import { type Verdict, verifySigV4 } from '../helpers/sigv4.js'

const ID = 'AKIDEXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const TOKEN = 'FwoGZXIvYXdzEXAMPLEsessionTOKEN/+=='
const keys: AwsCredentials = { accessKeyId: ID, secretAccessKey: SECRET }

/** A server step that answers 200 with its verdict on the signature, or 403 with the reason. */
const verifying =
  (service = 'execute-api', region = 'eu-west-1', skewMs = 0) =>
  (req: IncomingMessage, res: ServerResponse, seen: Seen): void => {
    const verdict = verifySigV4(
      { method: seen.method, url: seen.url, rawHeaders: req.rawHeaders, body: seen.body },
      { [ID]: SECRET },
      service,
      region,
    )
    const serverNow = Date.now() + skewMs
    if (verdict.ok && Math.abs(Date.parse(isoOf(verdict.amzDate)) - serverNow) > 15 * 60_000) {
      // S3's answer to a request signed more than 15 minutes off its clock.
      res.writeHead(403, { 'content-type': 'application/xml', date: new Date(serverNow).toUTCString() })
      return void res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>',
      )
    }
    res.writeHead(verdict.ok ? 200 : 403, { 'content-type': 'application/json' }).end(JSON.stringify(verdict))
  }

const isoOf = (amz: string): string => `${amz.slice(0, 4)}-${amz.slice(4, 6)}-${amz.slice(6, 11)}:${amz.slice(11, 13)}:${amz.slice(13)}`

function client(server: TestServer, core: 'fetch' | 'undici', options: Partial<SigV4Options> = {}, before: Middleware[] = []) {
  const signer = sigv4({ service: 'execute-api', region: 'eu-west-1', credentials: keys, ...options })
  return createClient({ baseURL: server.url, core, middleware: [...before, signer] })
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`sigv4() on the ${core} core`, () => {
    it('signs a GET with a query the server verifies (path and query encoded as sent)', async () => {
      const server = await startServer(verifying())
      const res = await client(server, core).get<Verdict>('/things/a b/{id}', {
        params: { id: 'x/y' },
        query: { b: '2', a: '1 x', 'é~': "it's" },
      })
      expect(res.data).toMatchObject({ ok: true, accessKeyId: ID })
      expect(res.data.ok && res.data.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'accept']))
    })

    it('signs a JSON POST over the bytes sent, with the Idempotency-Key an outer idempotency() set', async () => {
      const server = await startServer(verifying())
      const res = await client(server, core, {}, [idempotency()]).post<Verdict>('/items', { json: { name: 'ünïcode', n: 1 } })
      expect(res.data.ok).toBe(true)
      expect(res.data.ok && res.data.signedHeaders).toEqual(expect.arrayContaining(['content-type', 'idempotency-key']))
      expect(server.seen[0]?.body.toString()).toBe('{"name":"ünïcode","n":1}')
    })

    it('signs a form, bytes, a Blob and a multipart FormData', async () => {
      const server = await startServer(verifying())
      const api = client(server, core)
      const form = new FormData()
      form.append('field', 'value')
      form.append('file', new Blob([new Uint8Array([0, 1, 2, 255])]), 'a.bin')
      for (const options of [
        { form: { a: '1', b: 'x y' } },
        { body: new Uint8Array([0, 159, 146, 150, 255]) },
        { body: new Blob(['blob body'], { type: 'text/plain' }) },
        { body: form },
      ])
        expect((await api.put<Verdict>('/upload', options)).data).toMatchObject({ ok: true })
      expect(server.seen[3]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    })

    it('signs each attempt afresh: a retry after a 503 carries a new X-Amz-Date and signature', async () => {
      const start = Date.parse('2026-12-07T12:00:00Z')
      let t = start
      const script = await startServer([503, verifying('execute-api', 'eu-west-1', start - Date.now())])
      const api = client(script, core, { now: () => (t += 1000) }, [retry({ delay: 0, jitter: false })])
      const res = await api.get<Verdict>('/flaky')
      expect(res.data.ok).toBe(true)
      const [first, second] = script.seen
      expect(first?.headers['x-amz-date']).toBe('20261207T120001Z')
      expect(second?.headers['x-amz-date']).toBe('20261207T120002Z')
      expect(first?.headers.authorization).not.toBe(second?.headers.authorization)
    })

    it('sends and signs the session token of credentials from a provider, asked once per attempt', async () => {
      const server = await startServer([503, verifying()])
      let asked = 0
      const credentials = async (): Promise<AwsCredentials> => {
        asked++
        return { ...keys, sessionToken: TOKEN }
      }
      const res = await client(server, core, { credentials }, [retry({ delay: 0, jitter: false })]).get<Verdict>('/me')
      expect(res.data).toMatchObject({ ok: true, token: TOKEN })
      expect(res.data.ok && res.data.signedHeaders).toContain('x-amz-security-token')
      expect(asked).toBe(2)
    })

    it('corrects its clock from a RequestTimeTooSkewed 403: the call is signed again, the next call right away', async () => {
      const ahead = 20 * 60_000
      const server = await startServer(verifying('s3', 'us-east-1', ahead))
      const api = client(server, core, { service: 's3', region: 'us-east-1' })
      const res = await api.get<Verdict>('/bucket/key')
      expect([res.status, server.seen.length]).toEqual([200, 2])
      const signedAt = (n: number) => Date.parse(isoOf(String(server.seen[n]?.headers['x-amz-date'])))
      expect(Math.abs(signedAt(1) - (Date.now() + ahead))).toBeLessThan(60_000)
      await api.get('/bucket/other')
      expect(server.seen.length).toBe(3)
      expect(Math.abs(signedAt(2) - (Date.now() + ahead))).toBeLessThan(60_000)
    })

    it('sends a stream body to S3 as UNSIGNED-PAYLOAD, and signs a known body with its hash', async () => {
      const server = await startServer(verifying('s3', 'us-east-1'))
      const api = client(server, core, { service: 's3', region: 'us-east-1' })
      const body = new Blob(['streamed ', 'object']).stream()
      const res = await api.put<Verdict>('/bucket/my key.txt', { body })
      expect(res.data).toMatchObject({ ok: true, payload: 'UNSIGNED-PAYLOAD' })
      expect(server.seen[0]?.body.toString()).toBe('streamed object')
      const known = await api.put<Verdict>('/bucket/known', { body: 'hello' })
      expect(known.data).toMatchObject({ ok: true, payload: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' })
    })

    it('a wrong secret is refused by the server, and the error shows neither secret nor token', async () => {
      const server = await startServer(verifying())
      const wrong = { accessKeyId: ID, secretAccessKey: `${SECRET}-wrong`, sessionToken: TOKEN }
      const error = (await client(server, core, { credentials: wrong })
        .get('/me')
        .catch((e: unknown) => e)) as Error
      expect(error).toMatchObject({ name: 'HTTPError', status: 403 })
      for (const text of [error.message, String(error.stack), inspect(error, { depth: 8 }), JSON.stringify(error)]) {
        expect(text).not.toContain(SECRET)
        expect(text).not.toContain(TOKEN)
      }
    })
  })
}

describe('sigv4() alone', () => {
  const answer = (request: ClientRequest) => Promise.resolve({ status: 200, request, headers: new Headers() } as unknown as ClientResponse)

  it('refuses a stream body for a service that needs the payload hash, saying what to do', async () => {
    const signer = sigv4({ service: 'execute-api', region: 'eu-west-1', credentials: keys })
    const request = { method: 'PUT', url: new URL('https://x.example/a'), headers: new Headers(), body: new Blob(['x']).stream() }
    await expect(signer(request as unknown as ClientRequest, answer)).rejects.toThrow(
      /ReadableStream.*"execute-api" needs the body's SHA-256.*only S3 accepts UNSIGNED-PAYLOAD.*Send a string, Uint8Array or Blob/,
    )
  })

  /** A `next` that answers each attempt from `answers` in turn, keeping the X-Amz-Date it was sent with. */
  function scripted(answers: { status: number; headers?: Record<string, string>; data?: unknown }[]) {
    const dates: string[] = []
    const next = async (request: ClientRequest) => {
      dates.push(request.headers.get('x-amz-date') ?? '')
      const { status, headers = {}, data } = answers[Math.min(dates.length - 1, answers.length - 1)] ?? { status: 200 }
      return { status, ok: status < 300, request, headers: new Headers(headers), data } as unknown as ClientResponse
    }
    return { dates, next }
  }
  const get = {
    method: 'GET',
    url: new URL('https://lambda.eu-west-1.amazonaws.com/x'),
    headers: new Headers(),
    body: undefined,
  } as unknown as ClientRequest
  const T = Date.parse('2026-12-07T12:00:00Z')
  const ahead = new Date(T + 20 * 60_000).toUTCString()

  it('a JSON InvalidSignatureException "Signature expired" (throwHttpErrors: false) corrects the clock and is signed again', async () => {
    const { dates, next } = scripted([
      {
        status: 403,
        headers: { date: ahead, 'x-amzn-errortype': 'InvalidSignatureException:http://internal.amazon.com/coral/' },
        data: { message: 'Signature expired: 20261207T120000Z is now earlier than 20261207T121500Z' },
      },
      { status: 200 },
    ])
    const signer = sigv4({ service: 'lambda', region: 'eu-west-1', credentials: keys, now: () => T })
    expect((await signer(get, next)).status).toBe(200)
    expect(dates).toEqual(['20261207T120000Z', '20261207T122000Z'])
    await signer(get, next)
    expect(dates[2]).toBe('20261207T122000Z')
  })

  it('a skewed Date on a refusal that is not about time (AccessDenied) changes nothing and is not replayed', async () => {
    const { dates, next } = scripted([{ status: 403, headers: { date: ahead }, data: '<Error><Code>AccessDenied</Code></Error>' }])
    const signer = sigv4({ service: 's3', region: 'eu-west-1', credentials: keys, now: () => T })
    expect((await signer(get, next)).status).toBe(403)
    await signer(get, next)
    expect(dates).toEqual(['20261207T120000Z', '20261207T120000Z'])
  })

  it.each([
    [
      { region: 'us-east-1', credentials: keys },
      /service must be the lower-case AWS service name, such as 's3', 'execute-api', got undefined/,
    ],
    [
      { service: 's3', region: 'US East', credentials: keys },
      /region must be the lower-case AWS region name, such as 'us-east-1', got "US East"/,
    ],
    [
      { service: 's3', region: 'us-east-1' },
      /credentials must be \{ accessKeyId, secretAccessKey, sessionToken\? \} or a function returning them, got undefined/,
    ],
    [
      { service: 's3', region: 'us-east-1', credentials: { accessKeyId: ID } },
      /secretAccessKey must be the secret access key, a non-empty string, got undefined/,
    ],
    [{ service: 's3', region: 'us-east-1', credentials: keys, regoin: 'x' }, /unknown option "regoin"; did you mean "region"\?/],
  ])('bad options fail at once with what to fix: %#', (options, message) => {
    expect(() => sigv4(options as SigV4Options)).toThrow(message)
  })

  it('never shows the secret or the token: not in option errors, not in util.inspect of the middleware', async () => {
    const misplaced = { accessKeyId: `${SECRET}\n`, secretAccessKey: SECRET, sessionToken: `${TOKEN} ` }
    const errors = [
      () => sigv4({ service: 's3', region: 'us-east-1', credentials: misplaced }),
      () => sigv4({ service: 's3', region: 'us-east-1', credentials: { ...keys, sessionToken: `${TOKEN}\u0000` } }),
    ].map((make) => {
      try {
        make()
      } catch (error) {
        return error as Error
      }
      throw new Error('expected a TypeError')
    })
    const options = { service: 's3', region: 'us-east-1', credentials: { ...keys, sessionToken: TOKEN } }
    const signer = sigv4(options)
    const request = {
      method: 'GET',
      url: new URL('https://x.example/a'),
      headers: new Headers(),
      body: undefined,
    } as unknown as ClientRequest
    const provided = sigv4({ ...options, credentials: async () => ({ ...keys, secretAccessKey: 42 as unknown as string }) })
    errors.push((await provided(request, answer).catch((e: unknown) => e)) as Error)
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/accessKeyId must be the access key id .*, got a string of \d+ characters, some not visible ASCII$/),
      expect.stringMatching(/sessionToken must be the session token .*, got a string of \d+ characters, some not visible ASCII$/),
      expect.stringMatching(/secretAccessKey must be the secret access key, a non-empty string, got number$/),
    ])
    for (const text of [
      ...errors.flatMap((e) => [e.message, String(e.stack), inspect(e)]),
      inspect(signer, { showHidden: true, depth: 8 }),
    ]) {
      expect(text).not.toContain(SECRET)
      expect(text).not.toContain(TOKEN)
    }
  })
})
