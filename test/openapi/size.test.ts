// maxResponseSize through the typed client (`createClient<paths>()`), on both cores, against a real
// node:http server (issue 23, item 2): the client's limit holds for a typed call, counted on decoded
// bytes (a small gzip answer that inflates past it fails), and a typed call can set its own, as
// untyped calls do (test/response-size.test.ts). The document is the Swagger petstore
// (test/fixtures/openapi/petstore.d.ts).
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createClient, isMaxResponseSizeError, type MaxResponseSizeError } from '../../src/index.js'
import type { paths as Petstore } from '../fixtures/openapi/petstore.js'
import { startServer } from '../helpers/server.js'

const KIB = 1024
/** A pet whose `name` is `size` bytes long: JSON the document allows, of any size. */
const pet = (size: number) => JSON.stringify({ id: 7, name: 'x'.repeat(size), photoUrls: [] })

/** The error a call rejects with; a response fails the test. */
const rejected = (call: Promise<unknown>): Promise<MaxResponseSizeError> =>
  call.then(
    () => {
      throw new Error('the call succeeded')
    },
    (error: unknown) => error as MaxResponseSizeError,
  )

describe.each(['fetch', 'undici'] as const)('typed maxResponseSize, %s core', (core) => {
  it("holds the client's limit for a typed call, on the decoded bytes of a gzip answer", async () => {
    const body = gzipSync(pet(256 * KIB)) // about 1 KiB on the wire, 256 KiB decoded
    const server = await startServer({ body, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } })
    await using api = createClient<Petstore>({ baseURL: server.url, core, maxResponseSize: 64 * KIB })
    const error = await rejected(api.get('/pet/{petId}', { params: { petId: 7 } }))
    expect(isMaxResponseSizeError(error)).toBe(true)
    expect([error.code, error.status, error.limit]).toEqual(['FL_ERR_MAX_RESPONSE_SIZE', 200, 64 * KIB])
    expect(error.received).toBeGreaterThan(64 * KIB)
    expect(error.message).toContain('raise maxResponseSize')
  })

  it("a typed call's own maxResponseSize overrides the client's, both ways", async () => {
    const server = await startServer({ body: pet(100 * KIB), headers: { 'content-type': 'application/json' } })
    await using api = createClient<Petstore>({ baseURL: server.url, core, maxResponseSize: 64 * KIB })
    const { data } = await api.get('/pet/{petId}', { params: { petId: 7 }, maxResponseSize: 1024 * KIB })
    expect(data?.name).toHaveLength(100 * KIB)
    await using roomy = createClient<Petstore>({ baseURL: server.url, core })
    const error = await rejected(roomy.get('/pet/{petId}', { params: { petId: 7 }, maxResponseSize: 16 * KIB }))
    expect([error.name, error.limit]).toEqual(['MaxResponseSizeError', 16 * KIB])
  })
})
