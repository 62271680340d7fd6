// fetchline with msw: the fetch core over the global fetch, which msw intercepts.
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { retry } from '../middleware/retry.js'
import { createClient } from '../src/index.js'

let calls = 0
const server = setupServer(
  http.get('https://api.test/users/:id', ({ params }) => {
    calls++
    return calls === 1 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json({ id: Number(params.id), name: 'Ada' })
  }),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

it('runs the whole pipeline against msw handlers', async () => {
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
