// Which timeouts retry() sends again (issue 23, item 10): every limit but the deadline, on a method
// that may be sent again. The pool's headersTimeout was a NetworkError before it was named, and
// retried as one; its body timeout was not retried though a reset mid-body was. Against real
// servers in test/pool-timeouts.test.ts; got retries every timeout alike (test/retry.ts "retries
// on timeout"; its `limit.errorCodes` list ETIMEDOUT for them all).
import { describe, expect, it } from 'vitest'
import { type RetryContext, shouldRetry } from '../../middleware/retry-policy.js'
import type { ClientRequest } from '../../src/core/types.js'
import { createClient, TimeoutError } from '../../src/index.js'

const policy = { statuses: new Set([503]), methods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) }

/** A real ClientRequest, captured through a one-middleware client. */
async function requestFor(method: string): Promise<ClientRequest> {
  let seen: ClientRequest | undefined
  const client = createClient({
    baseURL: 'http://127.0.0.1:9',
    middleware: [
      async (request) => {
        seen = request
        throw new Error('captured')
      },
    ],
  })
  await client.request(method, '/x').catch(() => {})
  await client.close()
  return seen as ClientRequest
}
const context = (request: ClientRequest, error: unknown): RetryContext => ({ request, attempt: 0, error })

describe('shouldRetry and timeouts', () => {
  it("retries the pool's headers and body timeouts on an idempotent method, as an attempt timeout", async () => {
    const get = await requestFor('GET')
    const retried = (['attempt', 'headers', 'body'] as const).map((limit) =>
      shouldRetry(context(get, new TimeoutError(get, 100, limit)), policy),
    )
    expect(retried).toEqual([true, true, true])
  })

  it('retries no timeout on a POST without an idempotency key, and never the deadline', async () => {
    const [get, post] = [await requestFor('GET'), await requestFor('POST')]
    const limits = ['attempt', 'headers', 'body'] as const
    expect(limits.map((limit) => shouldRetry(context(post, new TimeoutError(post, 100, limit)), policy))).toEqual([false, false, false])
    expect(shouldRetry(context(get, new TimeoutError(get, 100, 'deadline')), policy)).toBe(false)
  })
})
