// Redirects through a fetch the caller brings (mockFetch, msw, a fetch that hides redirects) and
// through the platform's fetch where fetchline has no undici: the fetch core asks for
// `redirect: 'manual'` and follows by its own policy, so a mocked 3xx is followed, and secret
// headers stop at the origin, as against a real server (test/redirects.nginx.test.ts); only a
// browser's fetch, which hides redirects from code, follows them itself.
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ClientRequest } from '../src/core/types.js'
import { createClient, isNetworkError } from '../src/index.js'
import { mockFetch } from '../src/integrations/testing.js'
import { openTransport } from '../src/web/transport.js'
import { startServer } from './helpers/server.js'

const KEYS = { 'x-api-key': 'K-client', 'x-trace': 'keep' }

describe('the maxRedirects option', () => {
  it('is refused at createClient unless a whole number >= 0, saying what it means', () => {
    expect(() => createClient({ baseURL: 'https://api.test', maxRedirects: -1 })).toThrow(
      'maxRedirects must be a whole number >= 0 (how many redirects a call follows; 0 follows none and hands the 3xx back), got -1',
    )
    expect(() => createClient({ baseURL: 'https://api.test', maxRedirects: '5' as never })).toThrow(RangeError)
  })

  it("is suggested for undici's name, maxRedirections", () => {
    expect(() => createClient({ baseURL: 'https://api.test', maxRedirections: 5 } as never)).toThrow(
      'createClient: unknown option "maxRedirections"; did you mean "maxRedirects"?',
    )
  })
})

for (const core of ['fetch', 'undici'] as const) {
  describe(`a Location that is no http(s) URL (${core} core)`, () => {
    it('rejects with a NetworkError that says so, and sends nothing further', async () => {
      const server = await startServer({ status: 302, headers: { location: 'javascript:alert(1)' } })
      await using api = createClient({ baseURL: server.url, core })
      const error = await api.get('/start').catch((e: unknown) => e)
      expect(isNetworkError(error)).toBe(true)
      expect((error as Error).message).toBe(
        `GET ${server.url}/start failed: answered 302 with a Location that is not an http(s) URL (javascript:)`,
      )
      expect(server.seen).toHaveLength(1)
    })
  })
}

describe('mockFetch', () => {
  it('follows a mocked redirect, and sends no secret header to the other origin', async () => {
    const fetch = mockFetch({
      'GET /start': { status: 302, headers: { location: 'https://other.test/landed' } },
      'GET /landed': { json: { ok: true } },
    })
    await using api = createClient({ baseURL: 'https://api.test', fetch, headers: KEYS })
    const res = await api.get('/start', { headers: { 'api-key': 'K-call' } })
    expect([res.status, res.url]).toEqual([200, 'https://other.test/landed'])
    const [landed] = fetch.callsTo('GET /landed')
    expect([landed?.url.origin, landed?.headers.get('x-trace')]).toEqual(['https://other.test', 'keep'])
    expect([landed?.headers.has('x-api-key'), landed?.headers.has('api-key')]).toEqual([false, false])
  })

  it('rejects past maxRedirects with MaxRedirectsError', async () => {
    const fetch = mockFetch({ 'GET /loop': { status: 307, headers: { location: '/loop' } } })
    await using api = createClient({ baseURL: 'https://api.test', fetch, maxRedirects: 2 })
    await expect(api.get('/loop')).rejects.toMatchObject({ name: 'MaxRedirectsError', limit: 2 })
    expect(fetch.calls).toHaveLength(3)
  })
})

describe('msw', () => {
  const seen: Headers[] = []
  const server = setupServer(
    http.get('https://api.test/start', () => new HttpResponse(null, { status: 302, headers: { location: 'https://other.test/landed' } })),
    http.get('https://other.test/landed', ({ request }) => {
      seen.push(request.headers)
      return HttpResponse.json({ ok: true })
    }),
  )
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterAll(() => server.close())

  it('follows a redirect msw answers, and sends no secret header to the other origin', async () => {
    await using api = createClient({ baseURL: 'https://api.test', headers: KEYS })
    const res = await api.get('/start')
    expect([res.status, res.url]).toEqual([200, 'https://other.test/landed'])
    expect([seen[0]?.has('x-api-key'), seen[0]?.get('x-trace')]).toEqual([false, 'keep'])
  })
})

describe('a fetch that hides redirects', () => {
  it('rejects with a NetworkError that says so, rather than answering status 0', async () => {
    const opaque = async (): Promise<Response> =>
      Object.defineProperties(new Response(null), { type: { value: 'opaqueredirect' }, status: { value: 0 }, ok: { value: false } })
    await using api = createClient({ baseURL: 'https://api.test', fetch: opaque })
    const error = await api.get('/start').catch((e: unknown) => e)
    expect(isNetworkError(error)).toBe(true)
    expect((error as Error).message).toMatch(/the fetch in use hides redirects from code/)
  })
})

describe("the platform's fetch, where there is no undici", () => {
  const request = { method: 'GET', url: new URL('https://api.test/x'), headers: new Headers(), attempt: 0 } as ClientRequest
  /** The `redirect` mode the web edge's fetch core hands the platform's fetch. */
  async function modeAsked(): Promise<RequestRedirect | undefined> {
    let mode: RequestRedirect | undefined
    vi.stubGlobal('fetch', async (_input: unknown, init?: RequestInit) => {
      mode = init?.redirect
      return Response.json({})
    })
    await openTransport({ baseURL: 'https://api.test' }).core(request)
    return mode
  }

  it("asks for redirect: 'manual' (Workers, Bun, Deno hand the 3xx back)", async () => {
    try {
      expect(await modeAsked()).toBe('manual')
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('lets a browser follow redirects itself: its fetch hides them from code', async () => {
    vi.stubGlobal('document', {})
    try {
      expect(await modeAsked()).toBe('follow')
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
