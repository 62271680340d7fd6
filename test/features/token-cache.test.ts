import { describe, expect, it } from 'vitest'
import { createMemoryTokenStore, createTokenCache } from '../../src/features/token-cache.js'

function vendor(delay = 10) {
  let issued = 0
  return {
    fetchToken: async () => {
      issued++
      await new Promise((resolve) => setTimeout(resolve, delay))
      return { token: `t${issued}`, expiresIn: 7200 }
    },
    issued: () => issued,
  }
}

describe('createTokenCache', () => {
  it('fetches once for many concurrent callers, then serves from cache', async () => {
    const v = vendor()
    const cache = createTokenCache({ key: 'k', fetchToken: v.fetchToken })
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get()))
    expect(new Set(tokens)).toEqual(new Set(['t1']))
    expect(await cache.get()).toBe('t1')
    expect(v.issued()).toBe(1)
  })

  it('fetches once across instances sharing a store: losers wait for the winner', async () => {
    const v = vendor(30)
    const store = createMemoryTokenStore()
    const caches = Array.from({ length: 5 }, () => createTokenCache({ key: 'k', fetchToken: v.fetchToken, store, pollInterval: 5 }))
    const tokens = await Promise.all(caches.map((c) => c.get()))
    expect(new Set(tokens)).toEqual(new Set(['t1']))
    expect(v.issued()).toBe(1)
  })

  it('takes over after the lock TTL when the lock holder died mid-refresh', async () => {
    const v = vendor()
    const store = createMemoryTokenStore()
    await store.lock('k:lock', 100) // a holder that never releases
    const started = Date.now()
    const token = await createTokenCache({ key: 'k', fetchToken: v.fetchToken, store, pollInterval: 10 }).get()
    expect(token).toBe('t1')
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
  })

  it('expires tokens refreshMargin before the vendor does', async () => {
    let now = 0
    const store = createMemoryTokenStore(() => now)
    const v = vendor(0)
    const cache = createTokenCache({ key: 'k', fetchToken: v.fetchToken, store, refreshMargin: 300_000 })
    await cache.get()
    now += 7200_000 - 300_000 - 1
    expect(await cache.get()).toBe('t1')
    now += 2
    expect(await cache.get()).toBe('t2')
  })

  it('refreshes a rejected token once and replays once; a newer token is kept', async () => {
    const v = vendor(0)
    const cache = createTokenCache({ key: 'k', fetchToken: v.fetchToken })
    const seen: string[] = []
    const result = await cache.withToken(
      async (token) => {
        seen.push(token)
        if (token === 't1') throw new Error('rejected')
        return 'sent'
      },
      (e) => (e as Error).message === 'rejected',
    )
    expect(result).toBe('sent')
    expect(seen).toEqual(['t1', 't2'])
    expect(await cache.refresh('t1')).toBe('t2') // t1 is stale: t2 stays
    expect(v.issued()).toBe(2)
    await expect(
      cache.withToken(
        async () => Promise.reject(new Error('rejected')),
        () => true,
      ),
    ).rejects.toThrow('rejected')
    expect(v.issued()).toBe(3) // one refresh, not a loop
  })
})
