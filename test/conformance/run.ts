// The conformance runner for Node, Bun and Deno: imports fetchline by its package name (so the
// runtime's own export conditions choose the entry), runs every case (or those named in
// CONFORMANCE_CASES) against CONFORMANCE_URL, and prints one MARK line of JSON per case.
// Run by driver.ts; by hand: CONFORMANCE_URL=… bun test/conformance/run.ts
import type { Context, Runtime } from './assert.js'
import { cases } from './cases.js'
import { MARK, type Result, runCase } from './runner.js'

const g = globalThis as { Bun?: unknown; Deno?: { env: { get(name: string): string | undefined }; exit(code: number): never } }
const env = (name: string): string => (g.Deno ? g.Deno.env.get(name) : process.env[name]) ?? ''
const runtime: Runtime = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node'
const print = (result: Result | { name: string; ok: false; ms: 0; error: string }): void => console.log(MARK + JSON.stringify(result))

async function load(): Promise<Context['lib']> {
  const [core, middleware, testing, wechat, wechatpay, example, alipay, consola] = await Promise.all([
    import('fetchline-http'),
    import('fetchline-http/middleware'),
    import('fetchline-http/testing'),
    import('fetchline-http/clients/wechat'),
    import('fetchline-http/clients/wechatpay'),
    import('fetchline-http/clients/example'),
    import('fetchline-http/clients/alipay'),
    import('consola'),
  ])
  return {
    core,
    middleware,
    testing,
    clients: { wechat, wechatpay, example, alipay },
    createConsola: consola.createConsola as Context['lib']['createConsola'],
  }
}

const only = env('CONFORMANCE_CASES') ? env('CONFORMANCE_CASES').split('\n') : Object.keys(cases)
let lib: Context['lib'] | undefined
try {
  lib = await load()
} catch (error) {
  // Every case fails with the import error: the driver shows why, once per case.
  for (const name of only)
    print({ name, ok: false, ms: 0, error: `import failed: ${String((error as Error)?.stack ?? error).slice(0, 600)}` })
}
if (lib) {
  const ctx: Context = { url: env('CONFORMANCE_URL'), closedURL: env('CONFORMANCE_CLOSED_URL'), runtime, lib }
  for (const name of only) {
    const fn = cases[name]
    print(fn ? await runCase(name, fn, ctx) : { name, ok: false, ms: 0, error: 'no such case' })
  }
}
// A hung case may leave a request pending that would hold the process open.
if (g.Deno) g.Deno.exit(0)
else process.exit(0)
