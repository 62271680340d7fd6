// fetchline's performance targets (issue 25) on every Node line, one judge for all of them:
//
//   npm run bench:targets                                    # Node 20, 22, 24, 26; 10 rounds each
//   node bench/targets.mjs --node=26 --rounds=12 --scenarios=stub
//   node bench/targets.mjs --from=bench/results/targets.json    # judge saved rounds again, measure nothing
//
// Each client runs alone in a fresh process (bench/alone.mjs: its own server process, the two
// pinned to one core each, a warm-up, then two measured windows, the quieter one kept), so no
// client shares JIT feedback, heap or GC with another; the processes of one round run one after another, each pair a target compares side by side,
// the order reversing round by round. Each target is the
// median of its per-round figures with a 95% bootstrap interval, and a verdict only the whole
// interval decides (bench/targets-spec.mjs). Output: the Markdown on stdout and
// bench/results/targets.{md,json} (every round's raw figures in the JSON).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { runAlone } from './alone.mjs'
import { NODE_LINES } from './args.mjs'
import { nodeBinaries } from './runtimes.mjs'
import { CLIENT_NAMES, clientMedians, formatFigure, judgeLine, MIN_ROUNDS, SCENARIOS } from './targets-spec.mjs'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

function options(argv) {
  const known = {
    node: NODE_LINES.join(','),
    rounds: '10',
    ms: '700',
    warm: '1200',
    scenarios: Object.keys(SCENARIOS).join(','),
    out: '',
    from: '',
  }
  const got = { ...known }
  for (const a of argv) {
    const m = /^--([a-z]+)=(.*)$/.exec(a)
    if (!m || !(m[1] in known))
      throw new Error(
        `unknown option "${a}" (options: ${Object.keys(known)
          .map((k) => `--${k}=`)
          .join(', ')})`,
      )
    got[m[1]] = m[2]
  }
  const list = (name, allowed) => {
    const items = got[name].split(',')
    const bad = items.find((x) => !allowed.includes(x))
    if (bad !== undefined) throw new Error(`--${name}=: unknown "${bad}"; choose from ${allowed.join(', ')}`)
    return items
  }
  const int = (name, min) => {
    const n = Number(got[name])
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}= needs an integer ≥ ${min}, got "${got[name]}"`)
    return n
  }
  return {
    node: list('node', NODE_LINES),
    scenarios: list('scenarios', Object.keys(SCENARIOS)),
    rounds: int('rounds', 2),
    ms: int('ms', 100),
    warm: int('warm', 0),
    out: got.out || here('./results/'),
    from: got.from,
  }
}

function runLine(line, bin, opts, progress) {
  const data = Object.fromEntries(opts.scenarios.map((s) => [s, Object.fromEntries(SCENARIOS[s].map((c) => [c, []]))]))
  for (let r = 0; r < opts.rounds; r++) {
    for (const scenario of opts.scenarios) {
      // Forward in even rounds, backward in odd ones: the pairs stay side by side, and each of a
      // pair runs first in half the rounds.
      const clients = r % 2 ? [...SCENARIOS[scenario]].reverse() : SCENARIOS[scenario]
      for (const client of clients) {
        data[scenario][client][r] = runAlone(bin, { scenario, spec: `${client}:${client}`, ms: opts.ms, warm: opts.warm })
        progress()
      }
    }
    process.stderr.write(`  Node ${line}: round ${r + 1} of ${opts.rounds} done\n`)
  }
  return data
}

function machine() {
  const cores = cpus()
  return `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`
}

function render(result) {
  const { lines, rounds, ms, warm, date } = result
  const out = [
    `# fetchline targets — ${date.slice(0, 10)}`,
    '',
    `${result.machine}. ${rounds} rounds a line; in each round every client runs alone in a fresh process (${warm} ms warm-up, ${ms} ms measured), the order reversing by round, each compared pair side by side. Each cell: the median of the per-round figures, its 95% bootstrap interval, and the verdict (met or missed only when the whole interval says so; none under ${MIN_ROUNDS} rounds). \`npm run bench:targets\` (${result.minutes} min).`,
    '',
    `| target | ${lines.map((l) => `Node ${l.line}`).join(' | ')} |`,
    `| --- | ${lines.map(() => '---:').join(' | ')} |`,
  ]
  const ids = [...new Set(lines.flatMap((l) => l.targets.map((t) => t.id)))]
  for (const id of ids) {
    const name = lines.flatMap((l) => l.targets).find((t) => t.id === id).name
    const cells = lines.map((l) => {
      const t = l.targets.find((x) => x.id === id)
      return t ? `${formatFigure(t)} **${t.verdict}**` : ''
    })
    out.push(`| ${name} | ${cells.join(' | ')} |`)
  }
  const tally = lines.map((l) => {
    const main = l.targets.filter((t) => !t.stretch)
    const count = (v) => main.filter((t) => t.verdict === v).length
    const few = count('too few rounds')
    return `${count('met')} met, ${count('missed')} missed, ${count('unsettled')} unsettled${few ? `, ${few} with too few rounds` : ''}`
  })
  out.push(`| targets (stretch aside) | ${tally.join(' | ')} |`, '')
  out.push(
    'Each client on its own, medians over the rounds (CPU µs/req with its 95% interval):',
    '',
    `| client | ${lines.map((l) => `Node ${l.line} (${l.version})`).join(' | ')} |`,
    `| --- | ${lines.map(() => '---:').join(' | ')} |`,
  )
  const keys = [...new Set(lines.flatMap((l) => l.clients.map((c) => `${c.scenario}|${c.client}`)))]
  for (const key of keys) {
    const [scenario, client] = key.split('|')
    const cells = lines.map((l) => {
      const c = l.clients.find((x) => x.scenario === scenario && x.client === client)
      if (!c || !Number.isFinite(c.cpu.median)) return '–'
      const cpu = `${c.cpu.median.toFixed(1)} µs (${c.cpu.lo.toFixed(1)}–${c.cpu.hi.toFixed(1)})`
      return scenario === 'stub' ? cpu : `${cpu}, ${Math.round(c.rps).toLocaleString('en-US')} req/s, ${c.maxRSS.toFixed(0)} MB`
    })
    out.push(`| ${scenario}: ${CLIENT_NAMES[client]} | ${cells.join(' | ')} |`)
  }
  return `${out.join('\n')}\n`
}

const opts = options(process.argv.slice(2))
// --from=targets.json: judge a saved run's rounds again (this file's judging and rendering), measuring nothing.
const result = opts.from ? rejudge(JSON.parse(readFileSync(opts.from, 'utf8'))) : measure(opts)

function rejudge(saved) {
  const lines = saved.lines.map((l) => ({ ...l, targets: judgeLine(l.data), clients: clientMedians(l.data) }))
  return { ...saved, lines }
}

function measure(opts) {
  const bins = nodeBinaries(opts.node)
  const started = performance.now()
  const total = opts.node.length * opts.rounds * opts.scenarios.reduce((n, s) => n + SCENARIOS[s].length, 0)
  let done = 0
  const progress = () => {
    done++
    if (done % 10 === 0) {
      const perRun = (performance.now() - started) / done
      process.stderr.write(`  ${done} of ${total} processes, about ${Math.ceil(((total - done) * perRun) / 60_000)} min left\n`)
    }
  }
  const load = loadavg()[0]
  const lines = []
  for (const line of opts.node) {
    const version = execFileSync(bins[line], ['-v'], { encoding: 'utf8' }).trim()
    process.stderr.write(`\n== Node ${line} (${version}, ${bins[line]}) ==\n`)
    const data = runLine(line, bins[line], opts, progress)
    lines.push({ line, version, targets: judgeLine(data), clients: clientMedians(data), data })
  }
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore: load,
    loadAfter: loadavg()[0],
    minutes: Math.round((performance.now() - started) / 6000) / 10,
    rounds: opts.rounds,
    ms: opts.ms,
    warm: opts.warm,
    lines,
  }
  return result
}

const markdown = render(result)
console.log(markdown)
mkdirSync(opts.out, { recursive: true })
writeFileSync(`${opts.out}/targets.md`, markdown)
writeFileSync(`${opts.out}/targets.json`, `${JSON.stringify(result, null, 2)}\n`)
process.stderr.write(
  `wrote ${opts.out}/targets.{md,json}${opts.from ? ` (the rounds of ${opts.from}, judged again)` : ` in ${result.minutes} min`}\n`,
)
