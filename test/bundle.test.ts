// What `import { createClient } from 'fetchline-http'` costs a bundled app: no consola, no
// OpenTelemetry, and a size that only grows on purpose (bench/bundle-size.json, +10% allowed).
import { readFileSync } from 'node:fs'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

const budget = JSON.parse(readFileSync(new URL('../bench/bundle-size.json', import.meta.url), 'utf8')) as {
  total: number
  fetchline: number
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
  const total = result.outputFiles[0]?.contents.byteLength ?? 0
  const own = inputs.filter(([path]) => !path.includes('node_modules')).reduce((sum, [, used]) => sum + used.bytesInOutput, 0)
  expect(total).toBeLessThanOrEqual(Math.round(budget.total * 1.1))
  expect(own).toBeLessThanOrEqual(Math.round(budget.fetchline * 1.1))
  expect(own).toBeGreaterThan(1_000) // it did bundle fetchline
})
