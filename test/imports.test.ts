// What importing an entry point loads in Node (no bundler, no tree-shaking): the main entry
// exports recommended(), yet an app that only calls createClient never loads consola or the
// OpenTelemetry API (log() and trace() load them on their first call), and fetchline-http/redis never
// loads a Redis client (you pass yours).
import { execFileSync } from 'node:child_process'
import { expect, it } from 'vitest'

function importsOf(entry: string): string[] {
  const out = execFileSync(process.execPath, [new URL('./fixtures/imports-of.mjs', import.meta.url).pathname, entry], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').pop() as string) as string[]
}

it("import 'fetchline-http' loads undici and ofetch, but neither consola nor @opentelemetry/api", () => {
  const seen = importsOf('fetchline-http')
  expect(seen).toContain('undici')
  expect(seen).toContain('ofetch')
  expect(seen.filter((s) => /^(consola|@opentelemetry\/)/.test(s))).toEqual([])
})

it("import 'fetchline-http/redis' loads no Redis client", () => {
  expect(importsOf('fetchline-http/redis').filter((s) => /^(ioredis|redis)$/.test(s))).toEqual([])
})
