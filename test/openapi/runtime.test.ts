// Runtime test of issue 17 (item 3): typed calls (`createClient<paths>()`) sent to a real
// node:http server on 127.0.0.1 that serves a few Petstore paths and a few GitHub paths, on both
// cores, through recommended() middleware. The server checks that it gets exactly the method,
// path, query, headers and body the typed options describe; the test checks that `data` at run
// time is what the types say (each `expectTypeOf` beside an `expect`), that isHTTPError(error,
// client, method, path) checks the method and the route at run time, and that paginate() keeps
// walking a Link-header listing on a typed client.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { paths as GitHub, components as GitHubComponents } from '@octokit/openapi-types'
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { recommended } from '../../middleware/index.js'
import { createClient, HTTPError, isHTTPError, paginate } from '../../src/index.js'
import type { components as PetComponents, paths as Petstore } from '../fixtures/openapi/petstore.js'
import { captureLogs } from '../helpers/capture.js'
import { type Seen, startServer, type TestServer } from '../helpers/server.js'

type Pet = PetComponents['schemas']['Pet']
type Issue = GitHubComponents['schemas']['issue']
type User = GitHubComponents['schemas']['private-user'] | GitHubComponents['schemas']['public-user']

function reply(res: ServerResponse, status: number, json?: unknown, headers: Record<string, string> = {}): void {
  if (json === undefined) res.writeHead(status, headers).end()
  else res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json))
}

/**
 * Petstore under /v2, as the document describes it (@readme/oas-examples 3.0/json/petstore.json).
 * findByStatus pages by `page` (two pets a page, a Link to the next), which Petstore does not do,
 * to walk a listing on a typed client.
 */
async function startPetstore(): Promise<TestServer & { pets: Map<number, Pet> }> {
  const pets = new Map<number, Pet>([
    [1, { id: 1, name: 'Rex', photoUrls: [], status: 'available' }],
    [2, { id: 2, name: 'Tom', photoUrls: ['https://img.test/tom.png'], status: 'pending' }],
    [3, { id: 3, name: 'Kit', photoUrls: [], status: 'available', tags: [{ id: 1, name: 'cat' }] }],
    [4, { id: 4, name: 'Bo', photoUrls: [], status: 'sold' }],
  ])
  const server: TestServer = await startServer((req: IncomingMessage, res: ServerResponse, seen: Seen) => {
    const url = new URL(seen.url, server.url)
    const route = `${seen.method} ${url.pathname.replace(/^\/v2\/pet\/\d+$/, '/v2/pet/{petId}')}`
    const id = Number(url.pathname.split('/')[3])
    const type = req.headers['content-type']
    if (route === 'GET /v2/pet/findByStatus') {
      const statuses = url.searchParams.getAll('status')
      if (statuses.length === 0) return reply(res, 400) // "Invalid status value": no content
      const page = Number(url.searchParams.get('page') ?? 1)
      const found = [...pets.values()].filter((pet) => statuses.includes(pet.status ?? ''))
      const next = new URL(url)
      next.searchParams.set('page', String(page + 1))
      const link = found.length > page * 2 ? { link: `<${next.href}>; rel="next"` } : {}
      return reply(res, 200, found.slice((page - 1) * 2, page * 2), link)
    }
    if (route === 'GET /v2/pet/{petId}') {
      const pet = pets.get(id)
      // The document declares 404 without content; this server sends a JSON body anyway, as servers do.
      return pet ? reply(res, 200, pet) : reply(res, 404, { code: 1, type: 'error', message: 'Pet not found' })
    }
    if (route === 'POST /v2/pet/{petId}') {
      if (type !== 'application/x-www-form-urlencoded') return reply(res, 405)
      const pet = pets.get(id)
      if (!pet) return reply(res, 404)
      const form = new URLSearchParams(seen.body.toString())
      const status = (form.get('status') ?? pet.status) as NonNullable<Pet['status']>
      pets.set(id, { ...pet, name: form.get('name') ?? pet.name, status })
      return reply(res, 200, { code: 200, type: 'unknown', message: String(id) })
    }
    if (route === 'DELETE /v2/pet/{petId}') {
      if (req.headers.api_key !== 'special-key') return reply(res, 400)
      if (!pets.delete(id)) return reply(res, 404)
      return reply(res, 200) // the document declares no success answer; this one has no body
    }
    if (route === 'PUT /v2/pet') {
      if (type !== 'application/json') return reply(res, 405)
      const pet = JSON.parse(seen.body.toString()) as Pet
      if (!pets.has(pet.id)) return reply(res, 404)
      pets.set(pet.id, pet)
      return reply(res, 200, pet)
    }
    return reply(res, 404, { message: `no route ${route}` })
  })
  return Object.assign(server, { pets })
}

const ISSUES = [1, 2, 3].map((number) => ({ number, title: `Issue ${number}`, state: 'open', labels: [] }))

/** A few GitHub paths: /user, issues (listed with GitHub's Link header, created with 201), repo deletion (204), user search. */
async function startGitHub(): Promise<TestServer> {
  const server: TestServer = await startServer((_req, res, seen) => {
    const url = new URL(seen.url, server.url)
    const route = `${seen.method} ${url.pathname}`
    if (route === 'GET /user') return reply(res, 200, { login: 'octocat', id: 1, type: 'User', site_admin: false })
    if (route === 'GET /repos/nodejs/undici/issues' || route === 'GET /repositories/1/issues') {
      // GitHub's next link points at /repositories/{id}/…, with the query carried over.
      const page = Number(url.searchParams.get('page') ?? 1)
      const next = new URL(`/repositories/1/issues${url.search}`, server.url)
      next.searchParams.set('page', String(page + 1))
      const link = page < 2 ? { link: `<${next.href}>; rel="next", <${next.href}>; rel="last"` } : {}
      return reply(res, 200, ISSUES.slice((page - 1) * 2, page * 2), link)
    }
    if (route === 'POST /repos/nodejs/undici/issues') {
      const { title } = JSON.parse(seen.body.toString()) as { title: string }
      if (title === 'spam') {
        return reply(res, 422, {
          message: 'Validation Failed',
          documentation_url: 'https://docs.github.com/rest',
          errors: [{ resource: 'Issue', field: 'title', code: 'invalid' }],
        })
      }
      return reply(res, 201, { number: 4, title, state: 'open', labels: [] }, { location: `${server.url}/repos/nodejs/undici/issues/4` })
    }
    if (route === 'DELETE /repos/nodejs/undici') return reply(res, 204)
    if (route === 'GET /search/users') return reply(res, 422, { message: 'Validation Failed', documentation_url: 'x' })
    return reply(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
  })
  return server
}

/** A Standard Schema written by hand, to show that a schema's output wins over the document's type at run time too. */
const nameOnly: StandardSchemaV1<unknown, { name: string }> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: { name: String((value as { name?: unknown }).name) } }) },
}

const line = (seen: Seen) => `${seen.method} ${seen.url}`

async function rejection(call: Promise<unknown>): Promise<unknown> {
  try {
    await call
  } catch (error) {
    return error
  }
  throw new Error('the call did not reject')
}

describe.each(['fetch', 'undici'] as const)('%s core', (core) => {
  const middleware = (logs = captureLogs()) => recommended({ log: { logger: logs.logger }, retry: { sleep: async () => {} } })

  describe('Petstore', () => {
    async function setup() {
      const server = await startPetstore()
      const logs = captureLogs(5)
      const pet = createClient<Petstore>({ baseURL: `${server.url}/v2`, core, middleware: middleware(logs) })
      return { server, logs, pet, [Symbol.asyncDispose]: () => pet.close() }
    }

    it('getPetById: GET /pet/{petId}, data is the JSON Pet, request.route is the template', async () => {
      await using t = await setup()
      const response = await t.pet.get('/pet/{petId}', { params: { petId: 3 } })
      expectTypeOf(response.data).toEqualTypeOf<Pet>()
      expect(response.data).toEqual(t.server.pets.get(3))
      expect(response.request.route).toBe('/pet/{petId}')
      expect(response.request.method).toBe('GET')
      expect(t.server.seen.map(line)).toEqual(['GET /v2/pet/3'])
      expect(t.server.seen[0]?.headers.accept).toMatch(/^application\/json/)
      expect(t.server.seen[0]?.body.length).toBe(0)
    })

    it('a 404 is an HTTPError of GET /pet/{petId}, and of no other operation', async () => {
      await using t = await setup()
      const error = await rejection(t.pet.get('/pet/{petId}', { params: { petId: 99 } }))
      expect(error).toBeInstanceOf(HTTPError)
      expect(isHTTPError(error, t.pet, 'get', '/pet/{petId}')).toBe(true)
      expect(isHTTPError(error, t.pet, 'delete', '/pet/{petId}')).toBe(false) // another method
      expect(isHTTPError(error, t.pet, 'get', '/pet/findByStatus')).toBe(false) // another route
      expect(isHTTPError(error, t.pet, 'get', '/user/{username}')).toBe(false)
      if (!isHTTPError(error, t.pet, 'get', '/pet/{petId}')) throw error
      expectTypeOf(error.status).toEqualTypeOf<number>() // 400, 404 and `default`
      // The document gives 404 no content, so data is unknown: this server sent JSON all the same.
      expectTypeOf(error.data).toEqualTypeOf<unknown>()
      expect([error.status, error.data]).toEqual([404, { code: 1, type: 'error', message: 'Pet not found' }])
      expect(error.response.request.route).toBe('/pet/{petId}')
      expect(t.server.seen.map(line)).toEqual(['GET /v2/pet/99'])
    })

    it('throwHttpErrors: false on the call resolves a 404 with its body in data, typed as success or error body', async () => {
      await using t = await setup()
      const response = await t.pet.get('/pet/{petId}', { params: { petId: 99 }, throwHttpErrors: false })
      expectTypeOf(response.data).toEqualTypeOf<Pet | unknown>() // Pet | the undeclared-content 404/400/default
      expect([response.status, response.ok, response.data]).toEqual([404, false, { code: 1, type: 'error', message: 'Pet not found' }])
      const found = await t.pet.get('/pet/{petId}', { params: { petId: 1 }, throwHttpErrors: false })
      expect([found.status, found.ok]).toEqual([200, true])
    })

    it('findByStatus: the required array query repeats its key; an error there is matched by path under the baseURL', async () => {
      await using t = await setup()
      const { data, request } = await t.pet.get('/pet/findByStatus', { query: { status: ['available', 'sold'] } })
      expectTypeOf(data).toEqualTypeOf<Pet[]>()
      expect(data.map((pet) => pet.name)).toEqual(['Rex', 'Kit'])
      expect(request.route).toBeUndefined() // no params: the path is the URL's own
      expect(t.server.seen.map(line)).toEqual(['GET /v2/pet/findByStatus?status=available&status=sold'])

      // An empty array sends no status at all: the server's 400 (no content).
      const error = await rejection(t.pet.get('/pet/findByStatus', { query: { status: [] } }))
      expect(isHTTPError(error, t.pet, 'get', '/pet/findByStatus')).toBe(true)
      expect(isHTTPError(error, t.pet, 'get', '/pet/{petId}')).toBe(false)
      expect(isHTTPError(error, t.pet, 'get', '/pet/findByTags')).toBe(false)
      if (!isHTTPError(error, t.pet, 'get', '/pet/findByStatus')) throw error
      expectTypeOf(error.status).toEqualTypeOf<400>()
      expect([error.status, error.data]).toEqual([400, undefined])
    })

    it('updatePetWithForm: POST /pet/{petId} sends the form urlencoded', async () => {
      await using t = await setup()
      const { data, status } = await t.pet.post('/pet/{petId}', { params: { petId: 2 }, form: { name: 'Tom II', status: 'sold' } })
      expectTypeOf(data).toEqualTypeOf<unknown>() // the document declares only 405
      expect([status, data]).toEqual([200, { code: 200, type: 'unknown', message: '2' }])
      const [sent] = t.server.seen
      expect(sent && [line(sent), sent.headers['content-type'], sent.body.toString()]).toEqual([
        'POST /v2/pet/2',
        'application/x-www-form-urlencoded',
        'name=Tom+II&status=sold',
      ])
      expect((await t.pet.get('/pet/{petId}', { params: { petId: 2 } })).data).toMatchObject({ name: 'Tom II', status: 'sold' })
    })

    it('deletePet: DELETE /pet/{petId} sends the api_key header parameter (redacted in the logs)', async () => {
      await using t = await setup()
      const { data, status } = await t.pet.delete('/pet/{petId}', { params: { petId: 4 }, headers: { api_key: 'special-key' } })
      expectTypeOf(data).toEqualTypeOf<unknown>() // no success answer declared
      expect([status, data]).toEqual([200, undefined])
      expect(t.server.seen[0]?.headers.api_key).toBe('special-key')
      expect(t.server.pets.has(4)).toBe(false)
      expect(JSON.stringify(t.logs.lines)).not.toContain('special-key')

      // Without the key: the server's 400, an error of this operation.
      const error = await rejection(t.pet.delete('/pet/{petId}', { params: { petId: 1 } }))
      expect(isHTTPError(error, t.pet, 'delete', '/pet/{petId}')).toBe(true)
      expect(isHTTPError(error, t.pet, 'get', '/pet/{petId}')).toBe(false)
      if (!isHTTPError(error, t.pet, 'delete', '/pet/{petId}')) throw error
      expectTypeOf(error.status).toEqualTypeOf<400 | 404>()
      expect(error.status).toBe(400)
      expect(t.server.seen[1]?.headers).not.toHaveProperty('api_key')
    })

    it('updatePet: PUT /pet sends the JSON body', async () => {
      await using t = await setup()
      const rex: Pet = { id: 1, name: 'Rex', photoUrls: ['https://img.test/rex.png'], status: 'pending' }
      const { data } = await t.pet.put('/pet', { json: rex })
      expect(data).toEqual(rex)
      const [sent] = t.server.seen
      expect(sent && [line(sent), sent.headers['content-type'], JSON.parse(sent.body.toString())]).toEqual([
        'PUT /v2/pet',
        'application/json',
        rex,
      ])
      expect(t.server.pets.get(1)).toEqual(rex)
    })

    it('schema and responseType change data at run time as they change its type', async () => {
      await using t = await setup()
      const zodded = await t.pet.get('/pet/{petId}', { params: { petId: 3 }, schema: z.object({ id: z.number(), name: z.string() }) })
      expectTypeOf(zodded.data).toEqualTypeOf<{ id: number; name: string }>()
      expect(zodded.data).toEqual({ id: 3, name: 'Kit' })
      const handWritten = await t.pet.get('/pet/{petId}', { params: { petId: 3 }, schema: nameOnly })
      expectTypeOf(handWritten.data).toEqualTypeOf<{ name: string }>()
      expect(handWritten.data).toEqual({ name: 'Kit' })
      const text = await t.pet.get('/pet/{petId}', { params: { petId: 3 }, responseType: 'text' })
      expectTypeOf(text.data).toEqualTypeOf<string>()
      expect(JSON.parse(text.data)).toEqual(t.server.pets.get(3))
    })

    it('paginate walks a Link-header listing on the typed client, the query carried to every page', async () => {
      await using t = await setup()
      const pets = paginate(t.pet, '/pet/findByStatus', { query: { status: ['available', 'pending', 'sold'] } })
      expectTypeOf(pets).toEqualTypeOf<AsyncGenerator<Pet, void, undefined>>()
      const names: string[] = []
      for await (const pet of pets) names.push(pet.name)
      expect(names).toEqual(['Rex', 'Tom', 'Kit', 'Bo'])
      expect(t.server.seen.map(line)).toEqual([
        'GET /v2/pet/findByStatus?status=available&status=pending&status=sold',
        'GET /v2/pet/findByStatus?status=available&status=pending&status=sold&page=2',
      ])
    })

    it("an operation's client is typed and sends the same", async () => {
      await using t = await setup()
      const name = await t.pet.operation(async (api) => (await api.get('/pet/{petId}', { params: { petId: 1 } })).data.name)
      expectTypeOf(name).toEqualTypeOf<string>()
      expect(name).toBe('Rex')
      const error = await rejection(t.pet.operation((api) => api.get('/pet/{petId}', { params: { petId: 99 } })))
      expect(isHTTPError(error, t.pet, 'get', '/pet/{petId}')).toBe(true)
    })
  })

  describe('GitHub', () => {
    async function setup() {
      const server = await startGitHub()
      const gh = createClient<GitHub>({ baseURL: server.url, core, middleware: middleware() })
      return { server, gh, [Symbol.asyncDispose]: () => gh.close() }
    }
    const params = { owner: 'nodejs', repo: 'undici' }

    it('GET /user with no options', async () => {
      await using t = await setup()
      const { data } = await t.gh.get('/user')
      expectTypeOf(data).toEqualTypeOf<User>()
      expect(data.login).toBe('octocat')
      expect(t.server.seen.map(line)).toEqual(['GET /user'])
    })

    it('lists issues with a query, and paginates them across GitHub-style Link headers', async () => {
      await using t = await setup()
      const first = await t.gh.get('/repos/{owner}/{repo}/issues', { params, query: { state: 'open', per_page: 2 } })
      expectTypeOf(first.data).toEqualTypeOf<Issue[]>()
      expect(first.data).toEqual(ISSUES.slice(0, 2))
      expect(first.request.route).toBe('/repos/{owner}/{repo}/issues')

      const all: Issue[] = []
      for await (const issue of paginate(t.gh, '/repos/{owner}/{repo}/issues', { params, query: { state: 'open', per_page: 2 } })) {
        all.push(issue)
      }
      expect(all).toEqual(ISSUES)
      expect(t.server.seen.map(line)).toEqual([
        'GET /repos/nodejs/undici/issues?state=open&per_page=2',
        'GET /repos/nodejs/undici/issues?state=open&per_page=2',
        'GET /repositories/1/issues?state=open&per_page=2&page=2',
      ])
    })

    it('creates an issue (201, JSON body) and narrows a 422 to the validation error', async () => {
      await using t = await setup()
      const created = await t.gh.post('/repos/{owner}/{repo}/issues', { params, json: { title: 'Found a bug' } })
      expectTypeOf(created.data).toEqualTypeOf<Issue>()
      expect([created.status, created.data.title, created.headers.get('location')]).toEqual([
        201,
        'Found a bug',
        `${t.server.url}/repos/nodejs/undici/issues/4`,
      ])
      expect(JSON.parse(t.server.seen[0]?.body.toString() ?? '')).toEqual({ title: 'Found a bug' })
      expect(t.server.seen[0]?.headers['content-type']).toBe('application/json')

      const error = await rejection(t.gh.post('/repos/{owner}/{repo}/issues', { params, json: { title: 'spam' } }))
      expect(isHTTPError(error, t.gh, 'get', '/repos/{owner}/{repo}/issues')).toBe(false)
      if (!isHTTPError(error, t.gh, 'post', '/repos/{owner}/{repo}/issues')) throw error
      expectTypeOf(error.status).toEqualTypeOf<400 | 403 | 404 | 410 | 422 | 503>()
      if (error.status !== 422) throw error
      expectTypeOf(error.data).toEqualTypeOf<GitHubComponents['schemas']['validation-error']>()
      expect(error.data.errors?.[0]?.field).toBe('title')
    })

    it('deletes a repository: 204, data undefined', async () => {
      await using t = await setup()
      const { status, data } = await t.gh.delete('/repos/{owner}/{repo}', { params })
      expectTypeOf(data).toEqualTypeOf<undefined>()
      expect([status, data]).toEqual([204, undefined])
      expect(t.server.seen.map(line)).toEqual(['DELETE /repos/nodejs/undici'])
    })

    it('an error of GET /search/users is not one of GET /users (a path is matched whole, not as a suffix)', async () => {
      await using t = await setup()
      const error = await rejection(t.gh.get('/search/users', { query: { q: 'octo' } }))
      expect(isHTTPError(error, t.gh, 'get', '/search/users')).toBe(true)
      expect(isHTTPError(error, t.gh, 'get', '/users')).toBe(false)
      expect(t.server.seen.map(line)).toEqual(['GET /search/users?q=octo'])
    })
  })
})
