import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createExampleClient } from '../../clients/example.js'
import { startFakeService } from '../../examples/fake-service.js'
import { createClient, HTTPError, isValidationError, type ValidationError } from '../../src/index.js'
import { mockFetch } from '../../src/integrations/testing.js'

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
    await using users = createExampleClient({ apiKey: 'k', baseURL: 'https://api.test', fetch, middleware: [] })
    await expect(users.getUser(5)).rejects.toBeInstanceOf(HTTPError)
    expect(await users.getUser(5)).toEqual({ id: 5, name: 'Eve', email: 'e@x' })
    expect(fetch.calls.map((c) => c.headers.get('x-api-key'))).toEqual(['k', 'k'])
  })

  it('rejects a malformed vendor answer with ValidationError', async () => {
    const fetch = mockFetch({ 'GET /users/{id}': { json: { id: '5', name: 'Eve' } } })
    await using users = createExampleClient({ apiKey: 'k', baseURL: 'https://api.test', fetch, middleware: [] })
    const error = (await users.getUser(5).catch((e: unknown) => e)) as ValidationError
    expect(isValidationError(error)).toBe(true)
    expect(error.message).toBe(
      'GET https://api.test/users/5 answered 200 with a body that does not match the schema: (root): id: expected a number',
    )
    expect(error.data).toEqual({ id: '5', name: 'Eve' })
  })

  it('types and validates data with any Standard Schema (zod here)', async () => {
    const User = z.object({ id: z.number(), name: z.string() })
    const fetch = mockFetch({ 'GET /users/{id}': [{ json: { id: 1, name: 'Ada', extra: true } }, { json: { id: 1 } }] })
    await using api = createClient({ baseURL: 'https://api.test', fetch })
    const { data } = await api.get('/users/{id}', { params: { id: 1 }, schema: User })
    expectTypeOf(data).toEqualTypeOf<{ id: number; name: string }>()
    expect(data).toEqual({ id: 1, name: 'Ada' }) // zod's output: unknown keys stripped
    const error = (await api.get('/users/{id}', { params: { id: 1 }, schema: User }).catch((e: unknown) => e)) as ValidationError
    expect(error.issues[0]?.path).toEqual(['name'])
    expect(error.message).toMatch(/name: Invalid input: expected string, received undefined/)
  })

  it('validates on the undici core too, and the copy keeps lazy headers and raw', async () => {
    const service = await startFakeService()
    await using api = createClient({ baseURL: service.url, core: 'undici', headers: { 'x-api-key': 'demo-key' } })
    const res = await api.get('/users/{id}', { params: { id: 1 }, schema: z.object({ id: z.number(), name: z.string() }) })
    expect(res.data).toEqual({ id: 1, name: 'Ada Lovelace' })
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.raw.status).toBe(200)
    await service.close()
  })

  it('rejects a schema that is not one', async () => {
    await using api = createClient({ baseURL: 'https://api.test', fetch: mockFetch({ 'GET /x': { json: {} } }) })
    await expect(api.get('/x', { schema: {} as never })).rejects.toThrow(/options.schema must be a Standard Schema/)
  })

  it('needs an apiKey', () => {
    expect(() => createExampleClient({ apiKey: '' })).toThrow(/needs apiKey/)
  })
})
