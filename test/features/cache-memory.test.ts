// The memory cache store: never past its byte budget or entry cap, least recently used out first.
import { describe, expect, it } from 'vitest'
import { prng } from '../../bench/stats.mjs'
import { createMemoryCacheStore } from '../../src/features/cache-memory.js'
import type { CacheEntry } from '../../src/features/cache-store.js'

const entry = (size: number, vary: Record<string, string | null> = {}): CacheEntry => ({
  status: 200,
  headers: [['content-type', 'application/json']],
  body: new Uint8Array(size),
  requestTime: 0,
  responseTime: 0,
  vary,
})

describe('createMemoryCacheStore', () => {
  it('soak: 50,000 stores of random sizes never take it past maxBytes or maxEntries', async () => {
    const store = createMemoryCacheStore({ maxBytes: 1 << 20, maxEntries: 500, maxEntryBytes: 64 << 10 })
    const random = prng(7)
    let peakBytes = 0
    let peakEntries = 0
    for (let i = 0; i < 50_000; i++) {
      const key = `k${Math.floor(random() * 5_000)}`
      await store.set(key, `f${i % 3}`, [entry(Math.floor(random() * 20_000))], 60_000)
      if (i % 7 === 0) await store.get(`k${Math.floor(random() * 5_000)}`, 'f0')
      peakBytes = Math.max(peakBytes, store.bytes)
      peakEntries = Math.max(peakEntries, store.entries)
    }
    expect(peakBytes).toBeLessThanOrEqual(1 << 20)
    expect(peakEntries).toBeLessThanOrEqual(500)
    expect(store.bytes).toBeGreaterThan(0.8 * (1 << 20)) // and it is used, not emptied
  })

  it('evicts the least recently used first', async () => {
    const store = createMemoryCacheStore({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c']) await store.set(key, 'f', [entry(10)], 60_000)
    await store.get('a', 'f')
    await store.set('d', 'f', [entry(10)], 60_000)
    expect(await store.get('b', 'f')).toBeUndefined()
    for (const key of ['a', 'c', 'd']) expect(await store.get(key, 'f')).toHaveLength(1)
  })

  it('does not store an entry over maxEntryBytes, and drops what was there', async () => {
    const store = createMemoryCacheStore({ maxEntryBytes: 10_000 })
    await store.set('k', 'f', [entry(100)], 60_000)
    await store.set('k', 'f', [entry(20_000)], 60_000)
    expect(await store.get('k', 'f')).toBeUndefined()
    expect([store.bytes, store.entries]).toEqual([0, 0])
  })

  it('expires entries by their TTL, invalidates every field of a key, and locks one holder at a time', async () => {
    let now = 1_000
    const store = createMemoryCacheStore({ now: () => now })
    await store.set('k', 'alice', [entry(1)], 100)
    await store.set('k', 'bob', [entry(1)], 1_000)
    await store.set('other', 'alice', [entry(1)], 1_000)
    now += 200
    expect(await store.get('k', 'alice')).toBeUndefined()
    expect(await store.get('k', 'bob')).toHaveLength(1)
    await store.invalidate('k')
    expect(await store.get('k', 'bob')).toBeUndefined()
    expect(await store.get('other', 'alice')).toHaveLength(1)
    const release = await store.lock('k', 500)
    expect(await store.lock('k', 500)).toBeUndefined()
    await release?.()
    expect(await store.lock('k', 500)).toBeTypeOf('function')
    now += 600
    expect(await store.lock('k', 500)).toBeTypeOf('function') // a lapsed lease is free again
  })

  it('says what to fix', () => {
    expect(() => createMemoryCacheStore({ maxBytes: 0 })).toThrow(/maxBytes must be a whole number above 0/)
    expect(() => createMemoryCacheStore({ maxbytes: 1 } as never)).toThrow(/did you mean "maxBytes"/)
  })
})
