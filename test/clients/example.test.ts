import { describe, expect, it } from 'vitest'
import { createExampleClient } from '../../clients/example.js'
import { startFakeService } from '../../examples/fake-service.js'
import { HTTPError } from '../../src/index.js'
import { mockFetch } from '../../src/testing.js'

describe('createExampleClient', () => {
  it('talks to a real service: get, list, create', async () => {
    const service = await startFakeService()
    await using users = createExampleClient({ apiKey: 'demo-key', baseURL: service.url })
    expect(await users.getUser(1)).toMatchObject({ name: 'Ada Lovelace' })
    expect((await users.listUsers({ page: 1, pageSize: 1 })).items).toHaveLength(1)
    expect(await users.createUser({ name: 'Edsger', email: 'e@example.com' })).toMatchObject({ id: 3, name: 'Edsger' })
    expect((await users.health()).ok).toBe(true)
    await service.close()
  })

  it('is tested through mockFetch without a network', async () => {
    const fetch = mockFetch({
      'GET /users/{id}': [{ status: 404, json: { error: 'not_found' } }, { json: { id: 5, name: 'Eve', email: 'e@x' } }],
    })
    await using users = createExampleClient({ apiKey: 'k', baseURL: 'https://api.test', fetch })
    await expect(users.getUser(5)).rejects.toBeInstanceOf(HTTPError)
    expect(await users.getUser(5)).toEqual({ id: 5, name: 'Eve', email: 'e@x' })
    expect(fetch.calls.map((c) => c.headers.get('x-api-key'))).toEqual(['k', 'k'])
  })

  it('needs an apiKey', () => {
    expect(() => createExampleClient({ apiKey: '' })).toThrow(/needs apiKey/)
  })
})
