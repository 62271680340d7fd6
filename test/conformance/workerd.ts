// The conformance suite on workerd: worker.ts bundled with esbuild for the conditions a Workers
// bundler uses, run in miniflare (Node >= 22) with the newer workerd binary, one request per case.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import type { Env } from './driver.js'
import { CASE_LIMIT_MS, type Result } from './runner.js'

/** The Workers compatibility date we test; without nodejs_compat unless CONFORMANCE_WORKERD_FLAGS says so. */
export const COMPATIBILITY_DATE = '2026-11-17'

/** The little of miniflare 4 we use (it is installed in RUNTIMES_DIR, not in package.json). */
type Miniflare = { ready: Promise<unknown>; dispatchFetch(url: string): Promise<Response>; dispose(): Promise<void> }
type MiniflareClass = new (options: Record<string, unknown>) => Miniflare

export async function runWorkerd(env: Env, dir: string, root: string): Promise<{ results: Result[]; note: string }> {
  const major = Number(process.versions.node.split('.')[0])
  if (major < 22) return { results: [], note: `miniflare needs Node >= 22; the driver runs on ${process.version}` }
  const fromCache = createRequire(resolve(dir, 'package.json'))
  process.env.MINIFLARE_WORKERD_PATH ??= resolve(dir, 'node_modules/@cloudflare/workerd-linux-64/bin/workerd')
  const esbuild = await import('esbuild')
  let script: string
  try {
    const out = await esbuild.build({
      entryPoints: [resolve(root, 'test/conformance/worker.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'esnext',
      conditions: ['workerd', 'worker', 'browser'],
      // Left to the runtime, so the failure is workerd's own ("No such module"), as a user sees it.
      external: ['node:*', 'cloudflare:*'],
      logLevel: 'silent',
    })
    script = out.outputFiles[0]?.text ?? ''
  } catch (error) {
    return { results: [], note: `esbuild could not bundle worker.ts: ${(error as Error).message.slice(0, 600)}` }
  }
  const { Miniflare } = (await import(fromCache.resolve('miniflare'))) as { Miniflare: MiniflareClass }
  const flags = (process.env.CONFORMANCE_WORKERD_FLAGS ?? '').split(',').filter(Boolean)
  let mf: Miniflare | undefined
  const results: Result[] = []
  const deadline = Date.now() + env.limit
  try {
    mf = new Miniflare({
      // As a module list, not `script`: miniflare would parse a script with its own parser, which
      // rejects `await using` (workerd itself runs it).
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: script }],
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: flags,
      bindings: { CONFORMANCE_URL: env.url, CONFORMANCE_CLOSED_URL: env.closedURL },
    })
    await mf.ready
    for (const name of env.names) {
      if (Date.now() > deadline) return { results, note: `stopped after ${env.limit / 1000} s (the runtime's limit)` }
      const answer = mf.dispatchFetch(`http://conformance/?case=${encodeURIComponent(name)}`).then((res) => res.json() as Promise<Result>)
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<Result>((ok) => {
        timer = setTimeout(
          () => ok({ name, ok: false, ms: CASE_LIMIT_MS + 5_000, error: 'the worker did not answer' }),
          CASE_LIMIT_MS + 5_000,
        )
      })
      results.push(
        await Promise.race([answer, late]).catch((error: Error) => ({ name, ok: false, ms: 0, error: error.message.slice(0, 600) })),
      )
      clearTimeout(timer)
    }
    return { results, note: '' }
  } catch (error) {
    return { results, note: `workerd: ${String((error as Error).message).slice(0, 600)}` }
  } finally {
    await mf?.dispose().catch(() => {})
  }
}
