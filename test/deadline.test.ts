// The fetch core's attempt deadline on the client's own pool, and headers from any realm.
import { Agent, type Dispatcher, Headers as UndiciHeaders } from 'undici'
import { describe, expect, it } from 'vitest'
import { RequestHeaders } from '../src/core/headers.js'
import { createFetchCore, type FetchFunction } from '../src/cores/fetch.js'
import { createClient, isTimeoutError } from '../src/index.js'
import { underFetch } from '../src/node/cores/deadline.js'
import { buildRequest } from '../src/request/request.js'
import { startServer } from './helpers/server.js'

describe('fetch core deadline below fetch', () => {
  it("aborts at the deadline a fetch whose handler speaks undici's newer API", async () => {
    const server = await startServer('hang')
    const agent = new Agent()
    // A fetch-like function that dispatches through the dispatcher it is given, with a handler of
    // the controller API (onRequestStart/onResponse*), as a future undici fetch may.
    const fetchLike = ((input: string | URL, init: { dispatcher: Dispatcher; method: string }) =>
      new Promise((resolve, reject) => {
        const url = new URL(String(input))
        init.dispatcher.dispatch(
          { origin: url.origin, path: url.pathname, method: init.method },
          {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData() {},
            onResponseEnd: () => resolve(new Response('late')),
            onResponseError: (_controller, error) => reject(error),
          },
        )
      })) as unknown as FetchFunction
    const core = createFetchCore(fetchLike, underFetch(agent))
    const defaults = {
      base: server.url,
      origin: server.url,
      headers: new RequestHeaders().seal(),
      shared: {},
      throwHttpErrors: true,
      redaction: undefined,
    }
    const started = Date.now()
    const error = await core(buildRequest(defaults, 'GET', '/slow', { timeout: 150 })).catch((e: unknown) => e)
    expect(isTimeoutError(error)).toBe(true)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(server.seen).toHaveLength(1)
    await agent.close()
  })
})

describe.each(['fetch', 'undici'] as const)('%s core: one deadline per attempt', (core) => {
  it('counts the time of every redirect hop against the same attempt limit', async () => {
    const server = await startServer([(_req, res) => setTimeout(() => res.writeHead(307, { location: '/next' }).end(), 800), 'hang'])
    const client = createClient({ baseURL: server.url, core })
    const started = Date.now()
    const error = await client.get('/first', { timeout: 1_000 }).catch((e: unknown) => e)
    const took = Date.now() - started
    expect(isTimeoutError(error)).toBe(true)
    expect(server.seen.map((hit) => hit.url)).toEqual(['/first', '/next'])
    // One limit for the attempt: ~1 s, not 0.8 s + a fresh 1 s for the second hop.
    expect(took).toBeGreaterThanOrEqual(990)
    expect(took).toBeLessThan(1_500)
    await client.close()
  })
})

describe.each(['fetch', 'undici'] as const)('%s core: headers of any realm', (core) => {
  it("sends client and call headers given as Node's global Headers or undici's", async () => {
    const server = await startServer(200)
    const client = createClient({ baseURL: server.url, core, headers: new globalThis.Headers({ 'x-client': 'global' }) })
    await client.get('/a', { headers: new UndiciHeaders({ 'x-call': 'undici' }) as unknown as globalThis.Headers })
    await client.get('/b', { headers: new globalThis.Headers({ 'x-call': 'global' }) })
    expect(server.seen.map((hit) => [hit.headers['x-client'], hit.headers['x-call']])).toEqual([
      ['global', 'undici'],
      ['global', 'global'],
    ])
    await client.close()
  })
})
