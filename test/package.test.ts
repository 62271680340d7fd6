// The package as users import it: every entry point in "exports" resolves to the built files.
import { describe, expect, it } from 'vitest'

const entries: Record<string, string[]> = {
  fetchline: [
    'createClient',
    'createRegistry',
    'recommended',
    'ClientError',
    'HTTPError',
    'TimeoutError',
    'NetworkError',
    'isHTTPError',
    'redactURL',
    'RateLimitError',
    'isRateLimitError',
    'createMemoryRateLimitStore',
  ],
  'fetchline/middleware': [
    'retry',
    'timeout',
    'redact',
    'log',
    'trace',
    'health',
    'idempotency',
    'createRetryBudget',
    'recommended',
    'rateLimit',
  ],
  'fetchline/middleware/rate-limit': ['rateLimit'],
  'fetchline/redis': ['createRedisTokenStore', 'createRedisRateLimitStore', 'createRedisBreakerStore'],
  'fetchline/middleware/redact': ['redact'],
  'fetchline/middleware/log': ['log'],
  'fetchline/middleware/trace': ['trace'],
  'fetchline/middleware/retry': ['retry'],
  'fetchline/middleware/timeout': ['timeout'],
  'fetchline/middleware/health': ['health'],
  'fetchline/middleware/idempotency': ['idempotency'],
  'fetchline/testing': ['mockFetch'],
  'fetchline/clients/example': ['createExampleClient'],
}

describe('package exports', () => {
  it('fetchline/redis works with the client you pass: it imports no Redis client itself', async () => {
    const { readFile } = await import('node:fs/promises')
    const source = await readFile(new URL('../dist/src/redis.js', import.meta.url), 'utf8')
    expect(source.match(/^import .*$/gm)?.join('\n')).not.toMatch(/ioredis|['"]redis['"]/)
  })

  for (const [entry, names] of Object.entries(entries)) {
    it(`${entry} exports ${names.join(', ')}`, async () => {
      const mod = (await import(/* @vite-ignore */ entry)) as Record<string, unknown>
      for (const name of names) expect(typeof mod[name], `${entry} → ${name}`).toBe('function')
    })
  }
})
