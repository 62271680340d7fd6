import { describe, expect, it } from 'vitest'
import { retry } from '../../middleware/retry.js'
import { createRetryBudget } from '../../middleware/retry-budget.js'
import { createClient, HTTPError } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

describe('retry budget', () => {
  it('limits a retry storm: 200 concurrent calls to a dead service send far fewer than 800 requests', async () => {
    const server = await startServer(503)
    await using api = createClient({
      baseURL: server.url,
      pool: { connections: 32 },
      middleware: [retry({ maxRetries: 3, sleep: async () => {} })],
    })
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => api.get('/down')))
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof HTTPError)).toBe(true)
    // 500 tokens at 5 per retry: at most 100 retries on top of the 200 first attempts.
    expect(server.seen.length).toBeLessThanOrEqual(300)
    expect(server.seen.length).toBeGreaterThanOrEqual(200)
    const stopped = results.filter((r) => r.status === 'rejected' && /retry budget is used up/.test(String(r.reason.message)))
    expect(stopped.length).toBeGreaterThan(0)
  })

  it('without a budget the same storm multiplies: 800 requests', async () => {
    const server = await startServer(503)
    await using api = createClient({
      baseURL: server.url,
      pool: { connections: 32 },
      middleware: [retry({ maxRetries: 3, budget: false, sleep: async () => {} })],
    })
    await Promise.allSettled(Array.from({ length: 200 }, () => api.get('/down')))
    expect(server.seen).toHaveLength(800)
  })

  it('takes 5 per retry and 10 per timeout retry, and refunds on success', () => {
    const budget = createRetryBudget({ capacity: 20 })
    expect(budget.take(budget.costs.timeout)).toBe(true)
    expect(budget.take(budget.costs.retry)).toBe(true)
    expect(budget.available).toBe(5)
    expect(budget.take(10)).toBe(false)
    budget.release(5) // a success after a retry gives back what the retry took
    budget.release(0) // a success with no retry gives back 1
    expect(budget.available).toBe(11)
    budget.release(100)
    expect(budget.available).toBe(20)
  })

  it('rejects a negative size', () => {
    expect(() => createRetryBudget({ capacity: -1 })).toThrow('retry budget capacity must be a number >= 0, got -1')
  })
})
