// fetchline with msw: setupServer() sees the fetch core's requests, with or without a `fetch`
// option; the undici core, which msw cannot see, fails loudly instead of reaching the network.
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { retry } from '../middleware/retry.js'
import { createClient, isNetworkError } from '../src/index.js'
import { startServer, type TestServer } from './helpers/server.js'

let calls = 0
const server = setupServer(
  http.get('https://api.test/users/:id', ({ params }) => {
    calls++
    return calls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ id: Number(params.id), name: 'Ada' })
  }),
  http.get('https://api.test/teams/:id', ({ params }) => HttpResponse.json({ team: Number(params.id) })),
)
// Made at module load, before server.listen(), as an app's clients usually are.
const early = createClient({ baseURL: 'https://api.test' })
let real: TestServer
beforeAll(async () => {
  real = await startServer({ json: { from: 'the real network' } })
  server.listen({ onUnhandledRequest: 'error' })
})
afterAll(async () => {
  server.close()
  await early.close()
  await real.close()
})

it('runs the whole pipeline against msw handlers through a fetch option', async () => {
  // Look the global fetch up per call: msw patches it in listen(), after this module loaded.
  await using api = createClient({
    baseURL: 'https://api.test',
    fetch: (input, init) => globalThis.fetch(input, init),
    middleware: [retry({ sleep: async () => {} })],
  })
  const { data } = await api.get<{ id: number; name: string }>('/users/{id}', { params: { id: 7 } })
  expect(data).toEqual({ id: 7, name: 'Ada' })
  expect(calls).toBe(2)
})

describe('without a fetch option', () => {
  it('the fetch core goes through msw, also for a client made before listen()', async () => {
    const { data } = await early.get('/teams/{id}', { params: { id: 3 } })
    expect(data).toEqual({ team: 3 })
    await using later = createClient({ baseURL: 'https://api.test' })
    expect((await later.get('/teams/4')).data).toEqual({ team: 4 })
  })

  it("onUnhandledRequest: 'error' stops an unhandled request before the network", async () => {
    await using api = createClient({ baseURL: real.url })
    const error = await api.get('/unhandled').catch((e: unknown) => e)
    expect(isNetworkError(error)).toBe(true)
    expect(real.seen).toHaveLength(0)
  })

  it('the undici core fails loudly under msw instead of reaching the network', async () => {
    await using api = createClient({ baseURL: real.url, core: 'undici' })
    await expect(api.get('/x', { query: { access_token: 's3cr3t' } })).rejects.toThrow(
      `msw is active, but core: 'undici' does not go through fetch, so msw cannot see GET ${real.url}/x?access_token=***REDACTED*** and it would reach the real network`,
    )
    expect(real.seen).toHaveLength(0)
  })

  it('once msw stops listening, both cores are back on their own pool', async () => {
    server.close()
    try {
      await using fetchCore = createClient({ baseURL: real.url })
      await using undiciCore = createClient({ baseURL: real.url, core: 'undici' })
      expect((await fetchCore.get('/a')).data).toEqual({ from: 'the real network' })
      expect((await undiciCore.get('/b')).data).toEqual({ from: 'the real network' })
      expect(real.seen.map((s) => s.url)).toEqual(['/a', '/b'])
    } finally {
      server.listen({ onUnhandledRequest: 'error' })
    }
  })
})
