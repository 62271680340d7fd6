import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { refusedPort } from './server.js'

/**
 * Real Redis for the scale-out tests. `.ci/run` installs redis-server and starts one
 * (REDIS_URL); a test that must stop Redis starts its own from the same binary. Outside CI
 * without a redis-server the suites skip, loudly; in CI a missing Redis fails them.
 */
export const REDIS_URL = process.env.REDIS_URL
export const HAS_REDIS_SERVER = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0

export function redisMissing(): string | undefined {
  if (HAS_REDIS_SERVER) return undefined
  const why = 'no redis-server on PATH (Debian: apt-get install -y redis-server)'
  if (process.env.CI) throw new Error(`The Redis tests must run in CI, but there is ${why}; .ci/run installs it`)
  console.warn(
    `\n${'!'.repeat(72)}\n!! SKIPPING the Redis scale-out tests: ${why}.\n!! They run in CI (.ci/run installs Redis).\n${'!'.repeat(72)}\n`,
  )
  return why
}

export type RedisServer = { url: string; port: number; stop(): Promise<void>; process: ChildProcess }

/** Starts a throwaway redis-server on 127.0.0.1 (no persistence) and waits until it accepts connections. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  port ??= await refusedPort() // a free port: nothing listens on it
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    const onData = (chunk: Buffer): void => {
      out += chunk
      if (/ready to accept connections/i.test(out)) resolve()
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)))
    setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000).unref()
  })
  child.stdout?.resume()
  let stopped: Promise<void> | undefined
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      })),
  }
}
