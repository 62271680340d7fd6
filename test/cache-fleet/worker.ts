// One process of the cache fleet (started by run.ts): a client with cache() over the shared Redis
// store, the same bearer token and deployment key as every other process. On 'burst' it fires
// `concurrency` GETs at once at a given instant; on 'steady' it calls in `concurrency` loops until
// a given instant. It answers each phase with a tally of response.cache values.
import { register } from 'node:module'

register('./edges-hook.mjs', import.meta.url)

export type WorkerConfig = {
  redisUrl: string
  prefix: string
  baseURL: string
  path: string
  token: string
  secret: string
  version: number
  concurrency: number
  pauseMs: number
}
export type Tally = {
  calls: number
  hit: number
  revalidated: number
  stale: number
  miss: number
  uncached: number
  errors: string[]
}
export type ToWorker = { type: 'burst'; at: number } | { type: 'steady'; until: number } | { type: 'exit' }
export type FromWorker = { type: 'ready' } | { type: 'warn'; message: string } | { type: 'burst' | 'steady'; tally: Tally }

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig
const { Redis } = await import('ioredis')
const { createClient } = await import('../../src/index.js')
const { cache } = await import('../../middleware/cache.js')
const { createRedisCacheStore } = await import('../../src/integrations/redis.js')

const send = (message: FromWorker): void => void process.send?.(message)
const redis = new Redis(config.redisUrl)
redis.on('error', () => {}) // an outage is the store's to report (below), once
const logger = { warn: (message: string) => send({ type: 'warn', message }), info: () => {} }
const client = createClient({
  baseURL: config.baseURL,
  headers: { authorization: `Bearer ${config.token}` },
  middleware: [cache({ store: createRedisCacheStore({ redis, prefix: config.prefix, logger }), key: config.secret })],
})

const tally = (): Tally => ({ calls: 0, hit: 0, revalidated: 0, stale: 0, miss: 0, uncached: 0, errors: [] })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function call(into: Tally): Promise<void> {
  into.calls++
  try {
    const response = await client.get<{ version?: number }>(config.path)
    into[response.cache ?? 'uncached']++
    if (response.status !== 200 || response.data?.version !== config.version) {
      throw new Error(`status ${response.status}, body ${JSON.stringify(response.data)}`)
    }
  } catch (error) {
    if (into.errors.length < 5) into.errors.push(String((error as Error)?.message ?? error))
    else into.errors[4] = `${into.errors.length}+ errors`
  }
}

async function burst(at: number): Promise<Tally> {
  const into = tally()
  await sleep(Math.max(0, at - Date.now()))
  await Promise.all(Array.from({ length: config.concurrency }, () => call(into)))
  return into
}

async function steady(until: number): Promise<Tally> {
  const into = tally()
  const loop = async (): Promise<void> => {
    while (Date.now() < until) {
      await call(into)
      await sleep(config.pauseMs)
    }
  }
  await Promise.all(Array.from({ length: config.concurrency }, loop))
  return into
}

process.on('message', async (message: ToWorker) => {
  if (message.type === 'burst') send({ type: 'burst', tally: await burst(message.at) })
  else if (message.type === 'steady') send({ type: 'steady', tally: await steady(message.until) })
  else {
    await client.close()
    await redis.quit()
    process.disconnect?.()
  }
})
send({ type: 'ready' })
