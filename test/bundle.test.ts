// What `import { createClient } from 'fetchline-http'` costs a bundled app: no consola, no
// OpenTelemetry, and a size that only grows on purpose (bench/bundle-size.json, +10% allowed).
// Bundled for Cloudflare Workers, Bun or a browser it carries no undici and no node: built-in
// (package.json "imports" send those runtimes to src/web/), within bench/worker-bundle-size.json.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

const budget = JSON.parse(readFileSync(new URL('../bench/bundle-size.json', import.meta.url), 'utf8')) as {
  total: number
  fetchline: number
}
const workerBudget = JSON.parse(readFileSync(new URL('../bench/worker-bundle-size.json', import.meta.url), 'utf8')) as {
  minified: number
  gzipped: number
}

/** Bundles `contents` as a worker build would: esm, minified, only the given export conditions. */
async function bundleFor(contents: string, conditions: string[]) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions,
    // A node: import left in would fail at load on workerd: keep it visible in the metafile.
    external: ['node:*'],
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const output = Object.values(result.metafile.outputs)[0] as Metafile['outputs'][string]
  const shipped = Object.entries(output.inputs)
    .filter(([, used]) => used.bytesInOutput > 0)
    .map(([path]) => path)
  return { code: result.outputFiles[0]?.contents ?? new Uint8Array(), shipped, imports: output.imports.map((i) => i.path) }
}

it('createClient alone bundles without consola or OpenTelemetry, within the recorded size + 10%', async () => {
  const result = await build({
    stdin: { contents: "export { createClient } from 'fetchline-http'", resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const output = Object.values(result.metafile.outputs)[0]
  const inputs = Object.entries(output?.inputs ?? {}).filter(([, used]) => used.bytesInOutput > 0)
  const shipped = inputs.map(([path]) => path)
  expect(shipped.filter((path) => /consola|opentelemetry/.test(path))).toEqual([])
  // On Node the client keeps its own undici Agent: the Node edge and undici are in.
  expect(shipped).toContain('dist/src/node/transport.js')
  expect(shipped.some((path) => path.includes('node_modules/undici/'))).toBe(true)
  const total = result.outputFiles[0]?.contents.byteLength ?? 0
  const own = inputs.filter(([path]) => !path.includes('node_modules')).reduce((sum, [, used]) => sum + used.bytesInOutput, 0)
  expect(total).toBeLessThanOrEqual(Math.round(budget.total * 1.1))
  expect(own).toBeLessThanOrEqual(Math.round(budget.fetchline * 1.1))
  expect(own).toBeGreaterThan(1_000) // it did bundle fetchline
})

const RUNTIMES = {
  workerd: ['workerd', 'worker', 'browser'],
  browser: ['browser'],
  bun: ['bun'],
}
const ENTRIES = [
  "export { createClient, recommended } from 'fetchline-http'",
  "export * from 'fetchline-http/middleware'",
  "export * from 'fetchline-http/clients/example'",
  "export * from 'fetchline-http/clients/wechat'",
  "export * from 'fetchline-http/clients/alipay'",
  "export * from 'fetchline-http/clients/wechatpay'",
  "export * from 'fetchline-http/testing'",
]

describe.each(Object.entries(RUNTIMES))('bundled for %s', (_runtime, conditions) => {
  it.each(ENTRIES)('%s: no undici, no node: built-in, the fetch-only edge', async (entry) => {
    const { shipped, imports } = await bundleFor(entry, conditions)
    expect(shipped.filter((path) => path.includes('undici'))).toEqual([])
    expect(imports.filter((path) => path.startsWith('node:'))).toEqual([])
    expect(shipped.filter((path) => path.startsWith('dist/src/node/'))).toEqual([])
    // Whatever makes a client (the main entry, a service client) makes it on the platform's fetch.
    if (/http'|clients/.test(entry)) expect(shipped).toContain('dist/src/web/transport.js')
  })
})

it('createClient + recommended() for workerd: within the recorded minified and gzipped size + 10%', async () => {
  const { code } = await bundleFor("export { createClient, recommended } from 'fetchline-http'", RUNTIMES.workerd)
  expect(code.byteLength).toBeLessThanOrEqual(Math.round(workerBudget.minified * 1.1))
  expect(gzipSync(code).byteLength).toBeLessThanOrEqual(Math.round(workerBudget.gzipped * 1.1))
  expect(code.byteLength).toBeGreaterThan(10_000) // it did bundle the client and its pipeline
})

it('the webhook verifier alone bundles without a transport, undici or a node: built-in (any runtime)', async () => {
  const { shipped, imports } = await bundleFor("export { createWebhookVerifier, signWebhook } from 'fetchline-http'", RUNTIMES.workerd)
  expect(shipped.filter((path) => /undici|transport|consola|opentelemetry/.test(path))).toEqual([])
  expect(imports.filter((path) => path.startsWith('node:'))).toEqual([])
  expect(shipped).toContain('dist/src/features/webhook.js')
})
