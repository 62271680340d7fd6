// A/B across processes, judged as the targets are: each client of --clients runs ALONE in its own
// process (bench/alone.mjs), the processes alternating round by round, so that no client's JIT
// feedback or heap is shared with another's. Prints each client's median CPU µs/request, req/s
// and peak RSS, and its ratio to the first client's, per round then bootstrapped: a median with
// its 95% interval (bench/stats.mjs). For a before/after: old build against new, same judge.
//
//   node bench/profile/ab.mjs --node=/path/to/node --scenario=c64-get \
//     --clients=ref:undici-request,old:fl-undici-full@/tmp/flold,new:fl-undici-full [--rounds=10] [--ms=700] [--warm=1200]
import { execFileSync } from 'node:child_process'
import { runAlone } from '../alone.mjs'
import { bootstrapMedian } from '../stats.mjs'

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const node = arg('node', process.execPath)
const scenario = arg('scenario', 'c64-get')
const rounds = Number(arg('rounds', 10))
const specs = arg('clients', 'new:fl-undici-full').split(',')
const labels = specs.map((spec) => spec.split(':')[0])
const results = new Map(labels.map((label) => [label, []]))
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[(i + r) % specs.length]
    results.get(spec.split(':')[0])[r] = runAlone(node, { scenario, spec, ms: Number(arg('ms', 700)), warm: Number(arg('warm', 1200)) })
  }
}
const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()
const fmt = (ci, digits) => `${ci.median.toFixed(digits)} (${ci.lo.toFixed(digits)}–${ci.hi.toFixed(digits)})`
const per = (label, key) => results.get(label).map((x) => (x ? x[key] : Number.NaN))
const ratio = (label, key) => per(label, key).map((v, r) => v / per(labels[0], key)[r])
console.log(
  `node ${version} ${scenario}, ${rounds} rounds, one process per client per round; medians (95% interval), ratios to ${labels[0]} per round`,
)
console.log('| client | CPU µs/req | CPU × | req/s | req/s × | peak RSS MB | GC µs/req |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
for (const label of labels) {
  const gc = bootstrapMedian(results.get(label).map((x) => x?.gc?.usPerReq ?? Number.NaN))
  console.log(
    `| ${label} | ${fmt(bootstrapMedian(per(label, 'cpu')), 1)} | ${fmt(bootstrapMedian(ratio(label, 'cpu')), 2)} | ${Math.round(bootstrapMedian(per(label, 'rps')).median)} | ${fmt(bootstrapMedian(ratio(label, 'rps')), 2)} | ${fmt(bootstrapMedian(per(label, 'maxRSS')), 1)} | ${fmt(gc, 1)} |`,
  )
}
