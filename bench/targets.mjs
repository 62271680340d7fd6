// fetchline's performance targets (issue 16) on every line, each judged on the median of several runs.
//
//   npm run bench:targets                                   # 3 quick runs on Node 20, 22, 24 and 26
//   node bench/targets.mjs --runs=5 --node=24,26            # more runs, fewer lines
//
// One run of bench/run.mjs already interleaves its rows, but on a shared 2-core machine a whole
// run can land in a slow or a fast spell, and a target that compares two rows within a few per
// cent flips between runs. So this runs the quick benchmark N times over the rows the targets
// need, keeps each run's JSON, and judges each target's median (bench/summarize.mjs): a close call
// needs the median of at least 3 runs. Output: bench/results/targets.{md,json}.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from './args.mjs'
import { renderSummary, summarize, summaryJSON } from './summarize.mjs'

const runsArg = process.argv.find((a) => a.startsWith('--runs='))
const runs = Number(runsArg?.split('=')[1] ?? 3)
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be an integer >= 1, got ${runsArg}`)
const args = parseArgs(process.argv.slice(2).filter((a) => a !== runsArg))
const node = args.node ?? ['20', '22', '24', '26']
const ROWS = ['ofetch', 'fl-fetch', 'fl-fetch-full', 'fl-undici', 'fl-undici-full'] // + the references, always there
const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'fetchline-targets-'))

const results = []
try {
  for (let i = 1; i <= runs; i++) {
    process.stderr.write(`\n== run ${i} of ${runs} ==\n`)
    const out = join(scratch, `run-${i}`)
    const child = spawnSync(
      process.execPath,
      [here('./run.mjs'), '--quick', `--node=${node.join(',')}`, `--rows=${ROWS.join(',')}`, `--out=${out}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
    if (child.status !== 0) process.stderr.write(`bench/run.mjs exited ${child.status} in run ${i}; its results are kept\n`)
    results.push(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')))
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
mkdirSync(here('./results/'), { recursive: true })
const byLine = summarize(results)
const markdown = renderSummary(byLine, runs)
console.log(markdown)
writeFileSync(here('./results/targets.md'), `${markdown}\n`)
writeFileSync(here('./results/targets.json'), `${JSON.stringify(summaryJSON(byLine, runs), null, 2)}\n`)
process.stderr.write('wrote bench/results/targets.{md,json}\n')
