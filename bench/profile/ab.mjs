// A/B across processes: each client of --clients runs ALONE in its own process (bench/profile/drive.mjs
// --only), the processes alternating round by round, so that no client's JIT feedback or heap
// is shared with another's (undici's internals go polymorphic when two handler APIs share a
// process, which slows undici.request). Prints medians of CPU µs/request, req/s and the
// process's peak RSS (maxRSS, warm-up included) per client.
//
//   node bench/profile/ab.mjs --node=/path/to/node --scenario=c64-get \
//     --clients=ref:undici-request,old:fl-undici-full@/tmp/flold,new:fl-undici-full [--rounds=5] [--ms=1000] [--warm=1500]
import { execFileSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const node = arg('node', process.execPath)
const scenario = arg('scenario', 'c64-get')
const rounds = Number(arg('rounds', 5))
const clients = arg('clients', 'new:fl-undici-full')
const labels = clients.split(',').map((spec) => spec.split(':')[0])
const results = new Map(labels.map((label) => [label, []]))
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[(i + r) % labels.length]
    const out = execFileSync(
      node,
      [
        '--no-memory-reducer',
        resolve(here, 'drive.mjs'),
        `--scenario=${scenario}`,
        `--clients=${clients}`,
        `--only=${label}`,
        '--rounds=1',
        `--ms=${arg('ms', 1000)}`,
        `--warm=${arg('warm', 1500)}`,
        '--json',
      ],
      { encoding: 'utf8' },
    )
    results.get(label).push(...JSON.parse(out.trim().split('\n').pop())[label])
  }
}
const version = execFileSync(node, ['-v'], { encoding: 'utf8' }).trim()
const [cpu0, rps0] = [median(results.get(labels[0]).map((x) => x.cpu)), median(results.get(labels[0]).map((x) => x.rps))]
console.log(`node ${version} ${scenario}, ${rounds} rounds, one process per client per round, medians (ratios to ${labels[0]})`)
console.log('| client | CPU µs/req | × | req/s | × | peak RSS MB | req/s runs |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |')
for (const [label, rs] of results) {
  const cpu = median(rs.map((x) => x.cpu))
  const rps = median(rs.map((x) => x.rps))
  const rss = median(rs.map((x) => x.maxRSS))
  const runs = rs.map((x) => x.rps.toFixed(0)).join(' ')
  console.log(
    `| ${label} | ${cpu.toFixed(1)} | ${(cpu / cpu0).toFixed(2)} | ${rps.toFixed(0)} | ${(rps / rps0).toFixed(2)} | ${rss.toFixed(0)} | ${runs} |`,
  )
}
