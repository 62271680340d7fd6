// The package as users import it: every entry point in "exports" resolves to the built files.
import { describe, expect, it } from 'vitest'

const entries: Record<string, string[]> = {
  'fetchline-http': [
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
    'createWebhookVerifier',
    'verifyWebhook',
    'signWebhook',
    'SignatureError',
  ],
  'fetchline-http/middleware': [
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
    'sigv4',
  ],
  'fetchline-http/middleware/rate-limit': ['rateLimit'],
  'fetchline-http/middleware/sign': ['sigv4'],
  'fetchline-http/redis': ['createRedisTokenStore', 'createRedisRateLimitStore', 'createRedisBreakerStore', 'createRedisCacheStore'],
  'fetchline-http/middleware/redact': ['redact'],
  'fetchline-http/middleware/log': ['log'],
  'fetchline-http/middleware/trace': ['trace'],
  'fetchline-http/middleware/retry': ['retry'],
  'fetchline-http/middleware/timeout': ['timeout'],
  'fetchline-http/middleware/health': ['health'],
  'fetchline-http/middleware/idempotency': ['idempotency'],
  'fetchline-http/testing': ['mockFetch'],
  'fetchline-http/clients/example': ['createExampleClient'],
  'fetchline-http/clients/alipay': ['createAlipayClient', 'signAlipayRequest', 'verifyAlipayAnswer', 'alipayCertSn', 'SignatureError'],
}

describe('package exports', () => {
  it('fetchline-http/redis works with the client you pass: it imports no Redis client itself', async () => {
    const { readFile } = await import('node:fs/promises')
    const source = await readFile(new URL('../dist/src/integrations/redis.js', import.meta.url), 'utf8')
    expect(source.match(/^import .*$/gm)?.join('\n')).not.toMatch(/ioredis|['"]redis['"]/)
  })

  for (const [entry, names] of Object.entries(entries)) {
    it(`${entry} exports ${names.join(', ')}`, async () => {
      const mod = (await import(/* @vite-ignore */ entry)) as Record<string, unknown>
      for (const name of names) expect(typeof mod[name], `${entry} → ${name}`).toBe('function')
    })
  }
})
