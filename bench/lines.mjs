// `--node=` / `--runtime=`: the whole harness (bench/line.mjs) once per line, one line at a time,
// then every line side by side. A Node line runs everything — this orchestrator's child, the
// server and every worker — on that line's binary (fork() reuses the parent's); a Bun or Deno line
// runs its clients in that runtime against a server on the machine's node. Each line writes its
// own latest.json into a scratch folder; this file reads them back and writes
// bench/results/latest.{md,json,svg} with every line (each line's own tables included).
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderLines } from './lines-render.mjs'
import { ensureRuntimes, nodeBinaries } from './runtimes.mjs'

const lineScript = fileURLToPath(new URL('./line.mjs', import.meta.url))

/** What to run: one entry per line, in the order given. */
function plan(args) {
  const own = process.versions.node.split('.')[0]
  const nodeLines = args.node ?? [own]
  const bins = args.node ? nodeBinaries(nodeLines) : { [own]: process.execPath }
  const runtimeBins = args.runtime ? ensureRuntimes(args.runtime) : {}
  const common = [...(args.quick ? ['--quick'] : []), ...(args.rows ? [`--rows=${args.rows.join(',')}`] : [])]
  return [
    ...nodeLines.map((line) => ({ id: `node${line}`, label: `Node ${line}`, bin: bins[line], args: common })),
    ...(args.runtime ?? []).map((name) => ({
      id: name,
      label: name === 'bun' ? 'Bun' : 'Deno',
      bin: process.execPath,
      clients: runtimeBins[name],
      args: [...common, `--runtime-line=${name}`],
    })),
  ]
}

/** Runs one line's harness; resolves to its exit code and stdout (its Markdown). */
function runLine(line, out, waitQuiet) {
  return new Promise((resolve) => {
    const args = ['--no-memory-reducer', lineScript, ...line.args, `--out=${out}`, ...(waitQuiet ? [`--wait-quiet=${waitQuiet}`] : [])]
    const child = spawn(line.bin, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text))
    child.once('error', (error) => resolve({ code: 1, stdout, error: String(error) }))
    child.once('exit', (code, signal) => resolve({ code: code ?? 1, signal, stdout }))
  })
}

export async function runLines(args) {
  const started = performance.now()
  const lines = plan(args)
  const scratch = mkdtempSync(join(tmpdir(), 'fetchline-bench-'))
  const results = []
  try {
    for (const line of lines) {
      process.stderr.write(`\n===== ${line.label} (${line.clients ?? line.bin}) =====\n`)
      const t0 = performance.now()
      const out = join(scratch, line.id)
      const run = await runLine(line, out, args.waitQuiet)
      let result
      try {
        result = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'))
      } catch {}
      results.push({
        id: line.id,
        label: line.label,
        exitCode: run.code,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        markdown: run.stdout,
        result,
      })
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  const totalSeconds = Math.round((performance.now() - started) / 100) / 10
  const json = { kind: 'lines', mode: args.quick ? 'quick' : 'full', date: new Date().toISOString(), totalSeconds, lines: results }
  const { markdown, svg } = renderLines(json)
  console.log(markdown)
  const outDir = args.out ?? fileURLToPath(new URL('./results/', import.meta.url))
  mkdirSync(outDir, { recursive: true })
  for (const [name, text] of [
    ['latest.json', `${JSON.stringify(json, null, 2)}\n`],
    ['latest.md', markdown],
    ['latest.svg', svg],
  ]) {
    writeFileSync(join(outDir, `${name}.tmp`), text)
    renameSync(join(outDir, `${name}.tmp`), join(outDir, name))
  }
  process.stderr.write(`wrote ${outDir}/latest.{json,md,svg}; ${lines.length} line(s) in ${totalSeconds} s\n`)
  process.exitCode = results.some((r) => r.exitCode !== 0 || !r.result) ? 1 : 0
}
