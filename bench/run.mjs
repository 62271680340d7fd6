// The benchmark's entry point (`npm run bench -- …`).
//
//   npm run bench -- --quick                              one line, on the machine's node
//   npm run bench -- --quick --node=20,22,24,26           the whole harness once per Node line
//   npm run bench -- --quick --node=26 --runtime=bun,deno  + the fetch rows on Bun's and Deno's fetch
//
// Options: --quick, --node=LINES, --runtime=NAMES, --rows=ID,…, --wait-quiet=S, --out=DIR
// (bench/args.mjs parses them; an unknown one stops the run before anything starts).
// Without --node or --runtime this is bench/line.mjs on the running node; with either,
// bench/lines.mjs starts bench/line.mjs once per line (each Node line on its own binary, from
// .ci/runtimes.json) and prints the lines side by side.
import { parseArgs } from './args.mjs'
import { ROWS, RUNTIME_ROWS } from './rows.mjs'

let args
try {
  args = parseArgs(process.argv.slice(2), { rowIds: [...ROWS, ...RUNTIME_ROWS].map((r) => r.id) })
} catch (error) {
  process.stderr.write(`bench/run.mjs: ${error.message}\n`)
  process.exit(2)
}
if (args.node || args.runtime) {
  const { runLines } = await import('./lines.mjs')
  await runLines(args)
} else {
  await import('./line.mjs')
}
