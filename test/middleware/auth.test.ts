// bearer() and oauth2() against a real authorization server and a resource server that checks
// its tokens (test/helpers/oauth2.ts). Cases ported, in our words, from peers' suites:
// - Azure SDK, @azure/core-rest-pipeline test/bearerTokenAuthenticationPolicy.spec.ts: the header,
//   the refresh window, concurrent first callers sharing one getToken, credential errors bubbling
//   up, a 401 challenge refreshing at once instead of waiting for expiry.
// - simple-oauth2, test/client-credentials-grant-type-get-token.js: header (Basic) vs body client
//   credentials, strict form-encoding of id and secret before base64, scopes joined by spaces.
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bearer, oauth2, retry } from '../../middleware/index.js'
import { basicCredentials } from '../../middleware/oauth2-grant.js'
import {
  ClientError,
  type ClientOptions,
  createClient,
  createMemoryTokenStore,
  createTokenCache,
  isHTTPError,
  isOAuth2Error,
  type Middleware,
  OAuth2Error,
  type TokenStore,
} from '../../src/index.js'
import { type FakeOAuth2, type FakeOAuth2Options, startFakeOAuth2 } from '../helpers/oauth2.js'
import { startServer } from '../helpers/server.js'

const SECRET = 'Zq-client-secret-1'
const noSleep = { sleep: async () => {} }

async function fake(options: FakeOAuth2Options = {}): Promise<FakeOAuth2> {
  const server = await startFakeOAuth2(options)
  onTestFinishedClose(server)
  return server
}

const closers: Array<() => Promise<void>> = []
function onTestFinishedClose(thing: { close(): Promise<void> }): void {
  closers.push(() => thing.close())
}
afterEach(async () => {
  vi.useRealTimers()
  await Promise.all(closers.splice(0).map((close) => close()))
})

function api(server: FakeOAuth2, middleware: Middleware[], extra: Partial<ClientOptions> = {}) {
  const client = createClient({ baseURL: server.apiURL, middleware, ...extra })
  onTestFinishedClose(client)
  return client
}

const grant = (server: FakeOAuth2, more: Partial<Parameters<typeof oauth2>[0]> = {}) =>
  oauth2({ tokenURL: server.tokenURL, clientId: 'billing-service', clientSecret: SECRET, ...more })

for (const core of ['fetch', 'undici'] as const) {
  describe(`oauth2() on the ${core} core`, () => {
    it('fetches a token with HTTP Basic client auth and sends it as a bearer token', async () => {
      const server = await fake()
      const client = api(server, [grant(server, { scope: ['invoices:read', 'invoices:write'], audience: 'https://api.vendor' })], { core })
      const res = await client.get<{ ok: boolean }>('/me')
      expect(res.data.ok).toBe(true)
      expect(server.apiHits).toEqual([server.issued[0]])
      const [hit] = server.tokenHits
      expect(hit?.clientAuth).toBe('basic')
      expect(hit?.clientSecret).toBe(SECRET)
      // simple-oauth2 "resolves to an access token while requesting multiple scopes": joined by a space.
      expect(hit?.form).toEqual({ grant_type: 'client_credentials', scope: 'invoices:read invoices:write', audience: 'https://api.vendor' })
    })

    it('fetches one token for 50 concurrent first calls', async () => {
      // Azure: "access token refresher should prevent multiple initial getToken requests to break"
      const server = await fake()
      const client = api(server, [grant(server)], { core })
      const answers = await Promise.all(Array.from({ length: 50 }, () => client.get('/me')))
      expect(answers.every((r) => r.status === 200)).toBe(true)
      expect(server.tokenHits).toHaveLength(1)
      expect(new Set(server.apiHits)).toEqual(new Set([server.issued[0]]))
    })

    it('a token endpoint answering 500 then 200 ends with a successful call (retry inside oauth2)', async () => {
      const server = await fake({ script: [500, 'issue'] })
      const client = api(server, [grant(server), retry(noSleep)], { core })
      expect((await client.get('/me')).status).toBe(200)
      expect(server.tokenHits).toHaveLength(2)
      expect(server.apiHits).toHaveLength(1)
    })

    it('a revoked token is refreshed once and the call replayed once', async () => {
      const server = await fake()
      const client = api(server, [grant(server)], { core })
      await client.get('/me')
      server.revoke(server.issued[0] as string)
      expect((await client.get('/me')).status).toBe(200)
      expect(server.tokenHits).toHaveLength(2)
      expect(server.apiHits).toEqual([server.issued[0], server.issued[0], server.issued[1]])
    })
  })
}

describe('oauth2(): refusals and failures', () => {
  it('a second 401 after the refresh surfaces as HTTPError 401: no loop', async () => {
    const server = await fake()
    server.rejectAll = true
    const client = api(server, [grant(server), retry(noSleep)])
    const error = await client.get('/me').catch((e: unknown) => e)
    expect(isHTTPError(error) && error.status).toBe(401)
    expect(server.apiHits).toHaveLength(2) // the call and its one replay
    expect(server.tokenHits).toHaveLength(2) // the first token and one refresh
    expect(server.apiHits[1]).toBe(server.issued[1])
  })

  it('with throwHttpErrors: false, the replay answers and a second 401 is returned, not looped', async () => {
    const server = await fake()
    const client = api(server, [grant(server)], { throwHttpErrors: false })
    await client.get('/me')
    server.revoke(server.issued[0] as string)
    expect((await client.get('/me')).status).toBe(200)
    server.rejectAll = true
    expect((await client.get('/me')).status).toBe(401)
    expect(server.apiHits).toHaveLength(5)
  })

  it('invalid_client rejects with a typed OAuth2Error, not retried, without the secret', async () => {
    const server = await fake({ clientSecret: 'the-right-one' })
    const client = api(server, [grant(server), retry(noSleep)])
    const error = await client.get('/me').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OAuth2Error)
    expect(error).toBeInstanceOf(ClientError)
    expect(isOAuth2Error(error)).toBe(true)
    const e = error as OAuth2Error
    expect([e.error, e.description, e.status, e.code]).toEqual(['invalid_client', 'Client authentication failed', 401, 'FL_ERR_OAUTH2'])
    expect(e.message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered 401: the token request failed: invalid_client/)
    expect(server.tokenHits).toHaveLength(1)
    expect(server.apiHits).toHaveLength(0)
    const shown = [e.message, e.stack, JSON.stringify(e), inspect(e, { showHidden: true, depth: 8 })].join('\n')
    expect(shown).not.toContain(SECRET)
    expect(shown).not.toContain(basicCredentials('billing-service', SECRET).slice(6))
  })

  it('an error_description echoing the secret is shown with the secret cut out', async () => {
    const server = await fake({
      script: [{ status: 400, json: { error: 'invalid_scope', error_description: `scope not granted to ${SECRET}` } }],
    })
    const error = (await api(server, [grant(server)])
      .get('/me')
      .catch((e: unknown) => e)) as OAuth2Error
    expect([error.error, error.status]).toEqual(['invalid_scope', 400])
    expect(error.description).toBe('scope not granted to ***REDACTED***')
    expect(error.message).not.toContain(SECRET)
  })

  it('a token_type other than Bearer is refused; any case of Bearer is taken', async () => {
    const mac = await fake({ tokenType: 'mac' })
    const error = await api(mac, [grant(mac)])
      .get('/me')
      .catch((e: unknown) => e)
    expect(isOAuth2Error(error) && error.error).toBe('unsupported_token_type')
    expect(mac.apiHits).toHaveLength(0)
    const lower = await fake({ tokenType: 'bearer' })
    expect((await api(lower, [grant(lower)]).get('/me')).status).toBe(200)
  })

  it('a token endpoint that keeps answering 503 surfaces as HTTPError 503 once retry gives up', async () => {
    const server = await fake({ script: [503] })
    const error = await api(server, [grant(server), retry({ ...noSleep, maxRetries: 2 })])
      .get('/me')
      .catch((e: unknown) => e)
    expect(isHTTPError(error) && [error.status, error.request?.method]).toEqual([503, 'POST'])
    expect(server.tokenHits).toHaveLength(3)
  })

  it('with retry() outside oauth2(), a failing token endpoint is retried as part of the call', async () => {
    const server = await fake({ script: [500, 'issue'] })
    expect((await api(server, [retry(noSleep), grant(server)]).get('/me')).status).toBe(200)
    expect(server.tokenHits).toHaveLength(2)
  })

  it('a 401 on a streamed body is not replayed, and the error says why', async () => {
    const server = await fake()
    const client = api(server, [grant(server)])
    await client.get('/me')
    server.revoke(server.issued[0] as string)
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('chunk'))
        c.close()
      },
    })
    const error = await client.post('/me', { body }).catch((e: unknown) => e)
    expect(isHTTPError(error) && error.status).toBe(401)
    expect((error as Error).message).toMatch(/not replayed with a fresh token: the request body is a stream/)
    expect(server.apiHits).toHaveLength(2)
  })
})

describe('oauth2(): client authentication and the grant request', () => {
  it("clientAuth: 'body' sends client_id and client_secret in the form, no Authorization", async () => {
    // simple-oauth2: "resolves to an access token (body credentials and form format)"
    const server = await fake({ accept: 'body' })
    expect((await api(server, [grant(server, { clientAuth: 'body' })]).get('/me')).status).toBe(200)
    const [hit] = server.tokenHits
    expect(hit?.authorization).toBeUndefined()
    expect(hit?.form).toEqual({ grant_type: 'client_credentials', client_id: 'billing-service', client_secret: SECRET })
  })

  it('a server accepting only body auth refuses the default Basic with invalid_client', async () => {
    const server = await fake({ accept: 'body' })
    const error = await api(server, [grant(server)])
      .get('/me')
      .catch((e: unknown) => e)
    expect(isOAuth2Error(error) && error.error).toBe('invalid_client')
  })

  it('form-encodes id and secret before base64, as RFC 6749 §2.3.1 asks', async () => {
    // RFC 6749 §2.3.1's own example, then simple-oauth2's "strict encoding" vectors.
    expect(basicCredentials('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw')).toBe('Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3')
    expect(basicCredentials('the + client + id & symbols', 'the + client + secret & symbols')).toBe(
      'Basic dGhlKyUyQitjbGllbnQrJTJCK2lkKyUyNitzeW1ib2xzOnRoZSslMkIrY2xpZW50KyUyQitzZWNyZXQrJTI2K3N5bWJvbHM=',
    )
    expect(basicCredentials("I'm the_client-id! & (symbols*)", "I'm the_client-secret! & (symbols*)")).toBe(
      'Basic SSUyN20rdGhlX2NsaWVudC1pZCUyMSslMjYrJTI4c3ltYm9scyUyQSUyOTpJJTI3bSt0aGVfY2xpZW50LXNlY3JldCUyMSslMjYrJTI4c3ltYm9scyUyQSUyOQ==',
    )
    // And a server decoding it the RFC's way recovers a secret with a colon and non-ASCII.
    const secret = 'p:ss wörd+/='
    const server = await fake({ clientId: 'id:1', clientSecret: secret })
    expect((await api(server, [oauth2({ tokenURL: server.tokenURL, clientId: 'id:1', clientSecret: secret })]).get('/me')).status).toBe(200)
    expect([server.tokenHits[0]?.clientId, server.tokenHits[0]?.clientSecret]).toEqual(['id:1', secret])
  })

  it('sends token requests through another client when given one', async () => {
    const server = await fake()
    const authClient = createClient({ baseURL: new URL(server.tokenURL).origin, middleware: [retry(noSleep)] })
    onTestFinishedClose(authClient)
    const client = api(server, [grant(server, { client: authClient })])
    expect((await client.get('/me')).status).toBe(200)
    expect(server.tokenHits[0]?.clientAuth).toBe('basic')
  })
})

describe('oauth2(): expiry and the store', () => {
  /** A memory store that records the TTL each token was stored with: what the code decided. */
  function recordingStore(): TokenStore & { sets: Array<{ key: string; ttl: number }> } {
    const store = createMemoryTokenStore()
    const sets: Array<{ key: string; ttl: number }> = []
    return { ...store, sets, set: (key, value, ttl) => (sets.push({ key, ttl }), store.set(key, value, ttl)) }
  }

  it('refreshes before expiry: kept until refreshMargin before expires_in, then fetched once more', async () => {
    // Azure: "refreshes the token during the refresh window". Only Date is faked: sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] })
    const server = await fake({ expiresIn: 120 })
    const client = api(server, [grant(server, { refreshMargin: 30_000 })])
    await client.get('/me')
    vi.setSystemTime(Date.now() + 89_000) // 1 s before the refresh window opens
    await client.get('/me')
    expect(server.tokenHits).toHaveLength(1)
    vi.setSystemTime(Date.now() + 2_000) // inside the window: 29 s before the token expires
    await Promise.all(Array.from({ length: 10 }, () => client.get('/me')))
    expect(server.tokenHits).toHaveLength(2)
    expect(server.apiHits.slice(2)).toEqual(Array(10).fill(server.issued[1]))
  })

  it('caps the margin at half a short lifetime, and takes 3600 s when expires_in is missing', async () => {
    const short = await fake({ expiresIn: 20 })
    const store = recordingStore()
    await api(short, [grant(short, { store })]).get('/me') // the 60 s default margin would leave nothing
    expect(store.sets.map((s) => s.ttl)).toEqual([10_000])
    const none = await fake({ expiresIn: null })
    const store2 = recordingStore()
    await api(none, [grant(none, { store: store2 })]).get('/me')
    expect(store2.sets.map((s) => s.ttl)).toEqual([3_540_000])
  })

  it('keys the token by token URL, client, scope and audience, never by the secret', async () => {
    const server = await fake()
    const store = recordingStore()
    await api(server, [grant(server, { store, scope: 'read', audience: 'aud' })]).get('/me')
    const key = store.sets[0]?.key as string
    expect(key).toBe(`oauth2:${encodeURIComponent(server.tokenURL)}:billing-service:read:aud`)
    expect(key).not.toContain(SECRET)
  })

  it('drops a rejected token only if it is still the current one (deleteIf)', async () => {
    const server = await fake()
    const store = createMemoryTokenStore()
    const deleted: string[] = []
    const watched: TokenStore = { ...store, deleteIf: (key, value) => (deleted.push(value), store.deleteIf(key, value)) }
    const client = api(server, [grant(server, { store: watched })])
    await client.get('/me')
    const [first] = server.issued as [string]
    server.revoke(first)
    await Promise.all([client.get('/me'), client.get('/me')])
    expect(deleted).toEqual([first, first]) // each 401 asks to drop the token it was refused
    expect(server.tokenHits).toHaveLength(2) // the two 401s of one token share one refresh
  })

  it('says what to fix for bad options, never showing the secret', () => {
    const base = { tokenURL: 'https://auth.example.com/token', clientId: 'a', clientSecret: SECRET }
    expect(() => oauth2({ ...base, tokenURL: 'auth.example.com' })).toThrow(/tokenURL must be an absolute http\(s\) URL/)
    expect(() => oauth2({ ...base, clientSecret: '' })).toThrow(/clientSecret must be a non-empty string, got an empty string/)
    expect(() => oauth2({ ...base, clientAuth: 'post' as never })).toThrow(/clientAuth must be 'basic' or 'body'/)
    expect(() => oauth2({ ...base, scopes: 'x' } as never)).toThrow(/scope/)
    expect(() => oauth2({ ...base, timeout: -1 })).toThrow(/timeout must be a number of milliseconds/)
    let message = ''
    try {
      oauth2({ ...base, clientId: 7 as never })
    } catch (e) {
      message = String(e)
    }
    expect(message).toMatch(/clientId must be a non-empty string/)
    expect(message).not.toContain(SECRET)
  })
})

describe('bearer()', () => {
  async function resource(valid: () => string) {
    const seen: Array<string | undefined> = []
    const server = await startServer((req, res) => {
      seen.push(req.headers.authorization)
      res.writeHead(req.headers.authorization === `Bearer ${valid()}` ? 200 : 401).end()
    })
    return { server, seen }
  }

  it('sends a sync getToken’s token, called per request', async () => {
    // Azure: "correctly adds an Authentication header with the Bearer token"
    const { server, seen } = await resource(() => 'static-1')
    const getToken = vi.fn(() => 'static-1')
    const client = createClient({ baseURL: server.url, middleware: [bearer({ getToken })] })
    onTestFinishedClose(client)
    await client.get('/a')
    await client.get('/b')
    expect(seen).toEqual(['Bearer static-1', 'Bearer static-1'])
    expect(getToken.mock.calls).toEqual([[], []])
  })

  it('asks an async getToken for a fresh token once on a 401, and replays once; concurrent 401s share it', async () => {
    // Azure: "does not wait for token expiry after receiving an authentication challenge"
    let current = 'old'
    const { server, seen } = await resource(() => current)
    const getToken = vi.fn(async (hint?: { refresh: true; rejected: string }) => (hint ? 'new' : 'old'))
    const client = createClient({ baseURL: server.url, middleware: [bearer({ getToken })] })
    onTestFinishedClose(client)
    current = 'new'
    const answers = await Promise.all([client.get('/a'), client.get('/b'), client.get('/c')])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200])
    expect(getToken.mock.calls.filter(([hint]) => hint)).toEqual([[{ refresh: true, rejected: 'old' }]])
    expect(seen.filter((h) => h === 'Bearer new')).toHaveLength(3)
  })

  it('a token that is rejected again surfaces as HTTPError 401 after exactly one replay', async () => {
    const { server, seen } = await resource(() => 'never')
    const client = createClient({ baseURL: server.url, middleware: [bearer({ getToken: (hint) => (hint ? 'fresh' : 'stale') })] })
    onTestFinishedClose(client)
    const error = await client.get('/a').catch((e: unknown) => e)
    expect(isHTTPError(error) && error.status).toBe(401)
    expect(seen).toEqual(['Bearer stale', 'Bearer fresh'])
  })

  it('a getToken that throws rejects the call with its error, sending nothing', async () => {
    // Azure: "credential errors should bubble up"
    const { server, seen } = await resource(() => 'x')
    const failure = new Error('vault is sealed')
    const client = createClient({ baseURL: server.url, middleware: [bearer({ getToken: () => Promise.reject(failure) })] })
    onTestFinishedClose(client)
    await expect(client.get('/a')).rejects.toBe(failure)
    expect(seen).toHaveLength(0)
  })

  it('takes a createTokenCache() as its source: cached, refreshed through the cache on a 401', async () => {
    let issued = 0
    let valid = 't1'
    const { server, seen } = await resource(() => valid)
    const tokens = createTokenCache({ key: 'vendor', fetchToken: async () => ({ token: `t${++issued}`, expiresIn: 3600 }) })
    const client = createClient({ baseURL: server.url, middleware: [bearer({ tokens })] })
    onTestFinishedClose(client)
    await client.get('/a')
    await client.get('/a')
    valid = 't2'
    await client.get('/a')
    expect(seen).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1', 'Bearer t2'])
    expect(issued).toBe(2)
  })

  it('refuses a token that cannot be a header value, without showing it', async () => {
    const { server, seen } = await resource(() => 'x')
    const client = createClient({ baseURL: server.url, middleware: [bearer({ getToken: () => 'Zq-secret\r\nX-Evil: 1' })] })
    onTestFinishedClose(client)
    const error = await client.get('/a').catch((e: unknown) => String(e))
    expect(error).toMatch(/getToken must return a token of visible ASCII characters/)
    expect(error).not.toContain('Zq-secret')
    expect(seen).toHaveLength(0)
  })

  it('needs exactly one token source', () => {
    expect(() => bearer({})).toThrow(/bearer needs one token source/)
    expect(() => bearer({ getToken: 'abc' as never })).toThrow(/getToken must be a function/)
    expect(() => bearer({ getToken: () => 'a', token: 'b' } as never)).toThrow(/bearer/)
  })
})
