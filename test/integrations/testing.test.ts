import { describe, expect, it } from 'vitest'
import { retry } from '../../middleware/retry.js'
import { createClient, HTTPError, isNetworkError, type Middleware } from '../../src/index.js'
import { mockFetch } from '../../src/integrations/testing.js'

type User = { id: number; name: string }

// A small service client, as a team would write one: what mockFetch is for.
function createUsersClient(options: { baseURL: string; apiKey: string; fetch?: typeof fetch; middleware?: Middleware[] }) {
  const api = createClient({
    baseURL: options.baseURL,
    headers: { 'x-api-key': options.apiKey },
    ...(options.fetch && { fetch: options.fetch }),
    middleware: options.middleware ?? [],
  })
  return {
    getUser: async (id: number) => (await api.get<User>('/users/{id}', { params: { id } })).data,
    createUser: async (name: string) => (await api.post<User>('/users', { json: { name } })).data,
    close: () => api.close(),
  }
}

describe('mockFetch', () => {
  it('drives a service client through its pipeline, with params and recorded calls', async () => {
    const fetch = mockFetch({
      'GET /v1/users/{id}': ({ params }) => ({ json: { id: Number(params.id), name: 'Ada' } }),
      'POST /v1/users': ({ body }) => ({ status: 201, json: { id: 2, ...JSON.parse(body) } }),
    })
    const seen: string[] = []
    const spy: Middleware = async (request, next) => (
      seen.push(`${request.method} ${request.route ?? request.url.pathname}`), next(request)
    )
    const users = createUsersClient({ baseURL: 'https://users.test/v1', apiKey: 'k1', fetch, middleware: [spy] })
    expect(await users.getUser(7)).toEqual({ id: 7, name: 'Ada' })
    expect(await users.createUser('Grace')).toEqual({ id: 2, name: 'Grace' })
    expect(seen).toEqual(['GET /users/{id}', 'POST /v1/users'])
    expect(fetch.calls.map((c) => c.route)).toEqual(['GET /v1/users/{id}', 'POST /v1/users'])
    expect(fetch.calls[0]?.headers.get('x-api-key')).toBe('k1')
    expect(fetch.callsTo('POST /v1/users')[0]?.body).toBe('{"name":"Grace"}')
    await users.close()
  })

  it('answers a sequence one reply per call, then repeats the last', async () => {
    const fetch = mockFetch({ 'GET /flaky': [503, 503, { json: { ok: true } }] })
    await using api = createClient({ baseURL: 'https://svc.test', fetch, throwHttpErrors: false })
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await api.get('/flaky')).status)
    expect(statuses).toEqual([503, 503, 200, 200])
  })

  it('simulates network errors and rejects unknown routes, naming the known ones', async () => {
    const fetch = mockFetch({ 'GET /reset': { error: 'ECONNRESET' } })
    await using api = createClient({ baseURL: 'https://svc.test', fetch })
    const reset = await api.get('/reset').catch((e: unknown) => e)
    expect(isNetworkError(reset) && reset.systemCode).toBe('ECONNRESET')
    await expect(api.get('/nope')).rejects.toThrow('mockFetch: no route for GET /nope; routes: GET /reset')
  })

  it('records a call no route matches, with route: null, and retry() does not repeat it', async () => {
    const fetch = mockFetch({ 'GET /users/{id}': 200 })
    await using api = createClient({ baseURL: 'https://svc.test', fetch, middleware: [retry({ sleep: async () => {} })] })
    const error = await api.get('/orders', { query: { page: 2 }, headers: { 'x-trace': 't1' } }).catch((e: unknown) => e)
    expect(isNetworkError(error) && error.systemCode).toBe('FL_ERR_MOCK_NO_ROUTE')
    expect(fetch.calls).toHaveLength(1) // a GET, yet sent once: a missing route is a test bug, not a flaky network
    const [call] = fetch.calls
    expect({ method: call?.method, url: call?.url.href, route: call?.route, params: call?.params }).toEqual({
      method: 'GET',
      url: 'https://svc.test/orders?page=2',
      route: null,
      params: {},
    })
    expect(call?.headers.get('x-trace')).toBe('t1')
    expect(fetch.callsTo('GET /users/{id}')).toEqual([])
  })

  it('makes HTTP errors as the real transport does', async () => {
    await using api = createClient({
      baseURL: 'https://svc.test',
      fetch: mockFetch({ '* /gone': { status: 410, json: { reason: 'gone' } } }),
    })
    const error = (await api.delete('/gone').catch((e: unknown) => e)) as HTTPError
    expect(error).toBeInstanceOf(HTTPError)
    expect(error.data).toEqual({ reason: 'gone' })
  })
})
