// The shared option rules: undefined means the default, typos fail with a suggestion.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createExampleClient } from '../../clients/example.js'
import { createWeChatClient } from '../../clients/wechat.js'
import { health } from '../../middleware/health.js'
import { idempotency } from '../../middleware/idempotency.js'
import { log } from '../../middleware/log.js'
import { rateLimit } from '../../middleware/rate-limit.js'
import { recommended } from '../../middleware/recommended.js'
import { redact } from '../../middleware/redact.js'
import { retry } from '../../middleware/retry.js'
import { createRetryBudget } from '../../middleware/retry-budget.js'
import { timeout } from '../../middleware/timeout.js'
import { trace } from '../../middleware/trace.js'
import { createClient } from '../../src/client/client.js'
import { createRegistry } from '../../src/client/registry.js'
import { checkKeys, MAX_TIMER_MS, suggest, withDefaults } from '../../src/core/options.js'
import { createTokenCache } from '../../src/features/token-cache.js'
import { fetchlinePlugin } from '../../src/integrations/fastify.js'
import { createRedisTokenStore } from '../../src/integrations/redis.js'
import { mockFetch } from '../../src/integrations/testing.js'

describe('withDefaults', () => {
  it('keeps the default for an option set to undefined', () => {
    expect(withDefaults({ a: 1, b: 2 }, { a: undefined, b: 3 })).toEqual({ a: 1, b: 3 })
  })
  it('takes null, 0 and false as values, not as "unset"', () => {
    expect(withDefaults({ a: 1, b: true, c: 'x' as string | null }, { a: 0, b: false, c: null })).toEqual({ a: 0, b: false, c: null })
  })
})

describe('checkKeys', () => {
  it.each([
    ['pool', 'conections', ['connections', 'keepAliveTimeout'], 'connections'],
    ['recommended', 'retries', ['retry', 'timeout', 'log'], 'retry'],
    ['retry', 'maxRetry', ['maxRetries', 'delay'], 'maxRetries'],
    ['request options', 'qurey', ['query', 'params', 'json'], 'query'],
    ['createClient', 'baseUrl', ['baseURL', 'headers'], 'baseURL'],
  ])('%s: "%s" fails, suggesting the known name', (what, key, known, near) => {
    expect(() => checkKeys(what, { [key]: 1 }, known)).toThrow(`${what}: unknown option "${key}"; did you mean "${near}"?`)
  })
  it('lists the known names when nothing is close', () => {
    expect(() => checkKeys('retry', { colour: 'red' }, ['maxRetries', 'delay'])).toThrow('known: maxRetries, delay')
  })
  it('accepts undefined and known keys; refuses a non-object', () => {
    expect(() => checkKeys('retry', undefined, ['delay'])).not.toThrow()
    expect(() => checkKeys('retry', { delay: 1 }, ['delay'])).not.toThrow()
    expect(() => checkKeys('retry', '3', ['delay'])).toThrow('retry options must be an object such as { delay: … }, got "3"')
  })
  it('suggests nothing for a word that only shares a few letters', () => {
    expect(suggest('ab', ['abcdef'])).toBeUndefined()
  })
})

// Every factory, checked the same way (issue 12, items 5, 6 and 10). A case per factory: what a
// JavaScript caller, or TypeScript without exactOptionalPropertyTypes, can pass.
describe('every factory', () => {
  const fetchToken = async () => ({ token: 't', expiresIn: 7200 })
  const app = { decorate() {}, decorateRequest() {}, addHook() {} } as unknown as FastifyInstance
  const registry = createRegistry({})
  const fakeRedis = { call: async () => null } as never // never called: only options are checked
  /** Each factory, called with `options` merged over what it needs. */
  const factories: Record<string, (options: Record<string, unknown>) => unknown> = {
    retry: (o) => retry(o),
    timeout: (o) => timeout(o),
    recommended: (o) => recommended(o),
    health: (o) => health(o),
    log: (o) => log(o),
    trace: (o) => trace(o),
    redact: (o) => redact(o),
    idempotency: (o) => idempotency(o),
    rateLimit: (o) => rateLimit({ limit: 1, ...o }),
    createRetryBudget: (o) => createRetryBudget(o),
    createTokenCache: (o) => createTokenCache({ key: 'k', fetchToken, ...o }),
    createClient: (o) => createClient({ baseURL: 'http://127.0.0.1:9', ...o }).close(),
    pool: (o) => createClient({ baseURL: 'http://127.0.0.1:9', pool: o }).close(),
    createExampleClient: (o) => createExampleClient({ apiKey: 'k', ...o }).close(),
    createWeChatClient: (o) => createWeChatClient({ appId: 'wx', appSecret: 's', ...o }).close(),
    createRedisTokenStore: (o) => createRedisTokenStore({ redis: fakeRedis, ...o }),
    fetchlinePlugin: (o) => fetchlinePlugin(app, { registry, ...o } as never),
    'mockFetch reply': (o) => mockFetch({ 'GET /': { status: 200, ...o } }),
  }

  it.each([
    ['retry', { maxRetries: undefined, delay: undefined, backoff: undefined, maxDelay: undefined, statuses: undefined }],
    ['retry', { methods: undefined, jitter: undefined, maxRetryAfter: undefined, budget: undefined, sleep: undefined }],
    ['timeout', { attempt: undefined, total: undefined }],
    ['recommended', { redact: undefined, timeout: undefined, idempotency: undefined, retry: undefined, health: undefined }],
    ['health', { failureThreshold: undefined, failureRate: undefined, minimumCalls: undefined, window: undefined }],
    ['health', { cooldown: undefined, halfOpenCalls: undefined, syncInterval: undefined, isFailure: undefined, now: undefined }],
    ['log', { logger: undefined, level: undefined, bodies: undefined, maxBodyLength: undefined }],
    ['trace', { tracerProvider: undefined, meterProvider: undefined, propagate: undefined, metrics: undefined }],
    ['redact', { headers: undefined, query: undefined, bodyKeys: undefined, mode: undefined }],
    ['idempotency', { header: undefined, methods: undefined, generate: undefined }],
    ['rateLimit', { interval: undefined, store: undefined, key: undefined, perRoute: undefined, maxWait: undefined }],
    ['createRetryBudget', { capacity: undefined, retryCost: undefined, timeoutCost: undefined, successRefund: undefined }],
    ['createTokenCache', { store: undefined, refreshMargin: undefined, lockTtl: undefined, pollInterval: undefined }],
    ['createClient', { headers: undefined, middleware: undefined, pool: undefined, fetch: undefined, core: undefined }],
    ['pool', { connections: undefined, keepAliveTimeout: undefined }],
    ['createExampleClient', { baseURL: undefined, middleware: undefined, fetch: undefined }],
    ['createWeChatClient', { baseURL: undefined, middleware: undefined, tokenStore: undefined, fetch: undefined, pool: undefined }],
    ['createRedisTokenStore', { prefix: undefined, commandTimeout: undefined, recheckAfter: undefined, logger: undefined }],
    ['fetchlinePlugin', { decorate: undefined }],
    ['mockFetch reply', { delay: undefined, headers: undefined }],
  ])('%s: an option set to undefined means its default (%o)', async (name, options) => {
    await factories[name]?.(options) // the old code threw or crashed for most of these
  })

  it.each([
    ['retry', { maxRetry: 3 }, 'retry: unknown option "maxRetry"; did you mean "maxRetries"?'],
    ['timeout', { atempt: 500 }, 'timeout: unknown option "atempt"; did you mean "attempt"?'],
    ['recommended', { retries: {} }, 'recommended: unknown option "retries"; did you mean "retry"?'],
    ['health', { cooldwn: 1 }, 'health: unknown option "cooldwn"; did you mean "cooldown"?'],
    ['log', { levl: 'info' }, 'log: unknown option "levl"; did you mean "level"?'],
    ['trace', { propogate: false }, 'trace: unknown option "propogate"; did you mean "propagate"?'],
    ['redact', { header: ['x'] }, 'redact: unknown option "header"; did you mean "headers"?'],
    ['idempotency', { methds: ['POST'] }, 'idempotency: unknown option "methds"; did you mean "methods"?'],
    ['rateLimit', { intervall: 10 }, 'rateLimit: unknown option "intervall"; did you mean "interval"?'],
    ['createRetryBudget', { capcity: 5 }, 'createRetryBudget: unknown option "capcity"; did you mean "capacity"?'],
    ['createTokenCache', { refreshMargn: 5 }, 'createTokenCache: unknown option "refreshMargn"; did you mean "refreshMargin"?'],
    ['pool', { conections: 5 }, 'pool: unknown option "conections"; did you mean "connections"?'],
    ['createExampleClient', { baseUrl: 'x' }, 'createExampleClient: unknown option "baseUrl"; did you mean "baseURL"?'],
    ['createWeChatClient', { tokenstore: {} }, 'createWeChatClient: unknown option "tokenstore"; did you mean "tokenStore"?'],
    ['createRedisTokenStore', { prefx: 'a:' }, 'createRedisTokenStore: unknown option "prefx"; did you mean "prefix"?'],
    ['fetchlinePlugin', { decorat: 'c' }, 'fetchlinePlugin: unknown option "decorat"; did you mean "decorate"?'],
    ['mockFetch reply', { stauts: 201 }, 'mockFetch: route "GET /" reply: unknown option "stauts"; did you mean "status"?'],
  ])('%s: an unknown option fails, naming the nearest known one', async (name, options, message) => {
    await expect((async () => factories[name]?.(options))()).rejects.toThrow(message)
  })

  it.each([
    ['retry', { delay: 2 ** 31 }, 'retry: delay'],
    ['retry', { maxDelay: 2 ** 31 }, 'retry: maxDelay'],
    ['retry', { maxRetryAfter: 1e13 }, 'retry: maxRetryAfter'],
    ['timeout', { attempt: 2 ** 31 }, 'timeout attempt'],
    ['timeout', { total: 2_147_483_648 }, 'timeout total'],
    ['health', { cooldown: 2 ** 31 }, 'health: cooldown'],
    ['health', { window: Number.POSITIVE_INFINITY }, 'health: window'],
    ['health', { syncInterval: 2 ** 31 }, 'health: syncInterval'],
    ['rateLimit', { interval: 2 ** 31 }, 'rateLimit: interval'],
    ['rateLimit', { maxWait: 2 ** 31 }, 'rateLimit: maxWait'],
    ['createTokenCache', { refreshMargin: 2 ** 31 }, 'createTokenCache: refreshMargin'],
    ['createTokenCache', { lockTtl: 2 ** 31 }, 'createTokenCache: lockTtl'],
    ['createTokenCache', { pollInterval: 2 ** 31 }, 'createTokenCache: pollInterval'],
    ['createRedisTokenStore', { commandTimeout: 2 ** 31 }, 'createRedisTokenStore: options.commandTimeout'],
    ['createRedisTokenStore', { recheckAfter: 2 ** 31 }, 'createRedisTokenStore: options.recheckAfter'],
    ['mockFetch reply', { delay: 2 ** 31 }, 'mockFetch: route "GET /" reply delay'],
  ])('%s: a time past the timer limit fails at creation, naming the limit (%o)', async (name, options, what) => {
    await expect((async () => factories[name]?.(options))()).rejects.toThrow(`${what} must be a number of milliseconds`)
    await expect((async () => factories[name]?.(options))()).rejects.toThrow('<= 2147483647 (about 24.8 days')
  })

  it('accepts the timer limit itself', () => {
    expect(() => retry({ delay: MAX_TIMER_MS, maxDelay: MAX_TIMER_MS, maxRetryAfter: MAX_TIMER_MS })).not.toThrow()
    expect(() => timeout({ attempt: MAX_TIMER_MS, total: MAX_TIMER_MS })).not.toThrow()
    expect(() => health({ cooldown: MAX_TIMER_MS, window: MAX_TIMER_MS })).not.toThrow()
    expect(() => rateLimit({ limit: 1, interval: MAX_TIMER_MS, maxWait: MAX_TIMER_MS })).not.toThrow()
  })
})

// undici 7's own option lists (Agent, Pool, Client), read from its type declarations: each key is
// one `pool` takes, so an undici upgrade that adds an option shows up here.
describe('pool keys', () => {
  const types = ['agent', 'pool', 'client'].map((name) => readFileSync(`node_modules/undici/types/${name}.d.ts`, 'utf8'))
  const keys = new Set<string>()
  for (const text of types) {
    const body = /export interface Options(?: extends [^{]*)? \{([\s\S]*?)\n {2}\}/.exec(text)?.[1] ?? ''
    for (const [, key] of body.matchAll(/^ {4}([a-zA-Z0-9]+)\??[:(]/gm)) keys.add(key as string)
  }

  it.each([...keys])('accepts undici option "%s" (undici may still refuse the value)', (key) => {
    let message = ''
    try {
      void createClient({ baseURL: 'http://127.0.0.1:9', pool: { [key]: undefined } as never }).close()
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).not.toContain('unknown option')
  })
  it('found the option lists (about 40 keys)', () => expect(keys.size).toBeGreaterThan(30))
})
