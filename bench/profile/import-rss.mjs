// What importing fetchline adds to a process's RSS, as built (dist/: one ESM file per source file)
// and as the same code bundled into one file by esbuild (dependencies left outside), each in a
// fresh process of the given Node binary after undici and ofetch are loaded, medians of --runs.
// The gap is the module loader's own cost per module (peak RSS targets, issue 25).
//
//   npm run build && node bench/profile/import-rss.mjs [--node=/path/to/node] [--runs=5]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { median } from '../stats.mjs'

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const node = resolve(arg('node', process.execPath))
const runs = Number(arg('runs', 5))
const root = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'fetchline-import-rss-'))
try {
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'))
  const bundled = join(scratch, 'index.mjs')
  await build({
    entryPoints: [join(root, 'dist/index.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundled,
    external: ['undici', 'ofetch', 'consola', '@opentelemetry/api'],
    logLevel: 'warning',
  })
  const measure = (file) =>
    median(
      Array.from({ length: runs }, () => {
        const script = `const rss = () => process.memoryUsage().rss / 2 ** 20
await import('undici'); await import('ofetch')
const before = rss(); await import(${JSON.stringify(file)}); console.log(rss() - before)`
        return Number(execFileSync(node, ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' }))
      }),
    )
  const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()
  const asBuilt = measure(join(root, 'dist/index.js'))
  const asOne = measure(bundled)
  console.log(
    `node ${version}: import fetchline adds ${asBuilt.toFixed(1)} MB RSS as built (dist/), ${asOne.toFixed(1)} MB bundled into one file (medians of ${runs})`,
  )
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
