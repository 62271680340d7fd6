// The pure rule of src/request/resend-policy.ts: which exchanges that met a closed reused keep-alive
// connection the core sends again. Go's Request.isReplayable (net/http request.go) is the anchor:
// GET, HEAD, OPTIONS, TRACE (and here PUT and DELETE, RFC 9110 §9.2.2), or an Idempotency-Key /
// X-Idempotency-Key header, with a body that can be read again. The wire cases are in
// test/resend.test.ts and test/nginx/keepalive.test.ts.
import { describe, expect, it } from 'vitest'
import type { ClientRequest } from '../../src/core/types.js'
import { isStaleConnection } from '../../src/errors/tls-errors.js'
import { createClient } from '../../src/index.js'
import { MAX_RESENDS, markStale, mayResend } from '../../src/request/resend-policy.js'

// A real ClientRequest, as the core would see it, captured through a one-middleware client.
async function requestFor(
  method: string,
  headers: Record<string, string> = {},
  context: Record<string, unknown> = {},
): Promise<ClientRequest> {
  let seen: ClientRequest | undefined
  const client = createClient({
    baseURL: 'http://127.0.0.1:9',
    middleware: [
      async (request) => {
        seen = { ...request, context: { ...request.context, ...context } }
        throw new Error('captured')
      },
    ],
  })
  await client.request(method, '/x', { headers }).catch(() => {})
  await client.close()
  return seen as ClientRequest
}

describe('mayResend', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])('resends %s, an idempotent method', async (method) => {
    expect(mayResend(await requestFor(method), method, undefined, 0)).toBe(true)
  })

  it.each(['POST', 'PATCH'])('does not resend %s without an idempotency key', async (method) => {
    expect(mayResend(await requestFor(method), method, '{}', 0)).toBe(false)
  })

  it.each(['Idempotency-Key', 'X-Idempotency-Key'])('resends a POST carrying %s', async (header) => {
    expect(mayResend(await requestFor('POST', { [header]: 'k-1' }), 'POST', '{}', 0)).toBe(true)
  })

  it("resends a POST given a key by idempotency() under another header name (the call's context)", async () => {
    expect(mayResend(await requestFor('POST', { 'x-request-key': 'k-1' }, { idempotencyKey: 'k-1' }), 'POST', '{}', 0)).toBe(true)
  })

  it('reads the method of the hop: a POST turned GET by a 303 is resent', async () => {
    expect(mayResend(await requestFor('POST'), 'GET', undefined, 0)).toBe(true)
  })

  it('does not resend a body that is a stream (read once)', async () => {
    expect(mayResend(await requestFor('PUT'), 'PUT', new Blob(['x']).stream(), 0)).toBe(false)
  })

  it('resends bodies that can be sent again: a string, bytes, a Blob, FormData (encoded afresh)', async () => {
    const request = await requestFor('PUT')
    for (const body of ['x', new Uint8Array([1]), new Blob(['x']), new FormData()]) expect(mayResend(request, 'PUT', body, 0)).toBe(true)
  })

  it(`stops after ${MAX_RESENDS} resends`, async () => {
    const request = await requestFor('GET')
    expect(mayResend(request, 'GET', undefined, MAX_RESENDS - 1)).toBe(true)
    expect(mayResend(request, 'GET', undefined, MAX_RESENDS)).toBe(false)
  })
})

describe('markStale', () => {
  it('marks the transport error, found through the cause chain of what wraps it', () => {
    const socketError = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
    markStale(socketError)
    expect(isStaleConnection(new TypeError('fetch failed', { cause: socketError }))).toBe(true)
  })
})
