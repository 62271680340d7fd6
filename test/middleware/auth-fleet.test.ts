// 8 processes share one OAuth2 token through a real Redis (see test/helpers/redis.ts for where it
// comes from and when this skips), as the WeChat fleet test in test/redis.test.ts does for its token.
import { type ChildProcess, fork } from 'node:child_process'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeOAuth2 } from '../helpers/oauth2.js'
import { type RedisServer, redisMissing, startRedisServer } from '../helpers/redis.js'

const skip = redisMissing()
const FIXTURE = new URL('../fixtures/oauth2-fleet.mjs', import.meta.url)

type Message = Record<string, unknown>
function start(config: Message): Promise<{ child: ChildProcess; next: () => Promise<Message> }> {
  const child = fork(FIXTURE, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const inbox: Message[] = []
  let wake: (() => void) | undefined
  child.on('message', (m) => {
    inbox.push(m as Message)
    wake?.()
  })
  const next = async (): Promise<Message> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return inbox.shift() as Message
  }
  return next().then(() => ({ child, next }))
}

describe.skipIf(skip)('oauth2() across a fleet (real redis-server)', () => {
  let redisServer: RedisServer
  let redis: Redis
  beforeAll(async () => {
    redisServer = process.env.REDIS_URL
      ? { url: process.env.REDIS_URL, port: 0, stop: async () => {}, process: undefined as never }
      : await startRedisServer()
    redis = new Redis(redisServer.url)
  })
  afterAll(async () => {
    await redis?.quit()
    await redisServer?.stop()
  })

  it('8 processes × 25 concurrent calls share one token through Redis: the server issues exactly 1', async () => {
    const server = await startFakeOAuth2({ clientSecret: 'Zq-fleet-secret' })
    const prefix = `auth-fleet-${process.pid}:`
    const config = {
      redisUrl: redisServer.url,
      prefix,
      apiURL: server.apiURL,
      tokenURL: server.tokenURL,
      clientId: 'billing-service',
      clientSecret: 'Zq-fleet-secret',
    }
    const workers = await Promise.all(Array.from({ length: 8 }, () => start(config)))
    try {
      for (const w of workers) w.child.send({ go: 25 })
      const results = await Promise.all(workers.map((w) => w.next()))
      expect(results.map((r) => r.errors)).toEqual(Array(8).fill([]))
      expect(results.reduce((n, r) => n + (r.ok as number), 0)).toBe(200)
      expect(server.tokenHits).toHaveLength(1)
      expect(server.issued).toHaveLength(1)
      expect(new Set(server.apiHits)).toEqual(new Set(server.issued))
      const keys = await redis.keys(`${prefix}*`)
      expect(keys).toEqual([`${prefix}oauth2:${encodeURIComponent(server.tokenURL)}:billing-service:invoices%3Aread:`])
      expect(await redis.get(keys[0] as string)).toBe(server.issued[0])
    } finally {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              if (w.child.exitCode !== null) return resolve()
              w.child.once('exit', () => resolve())
              w.child.send('exit')
            }),
        ),
      )
      await server.close()
    }
  }, 30_000)
})
