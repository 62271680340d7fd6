// Compares two .cpuprofile files of the same workload per request: each profile's non-idle self
// time is scaled to the CPU µs/request measured for that run (drive.mjs prints it), then the
// functions (or, with --by=file, scripts) whose share grew most are listed.
//
//   node bench/profile/diff.mjs A.cpuprofile:24.5 B.cpuprofile:32.0 [--by=file] [--n=30]
import { readFileSync } from 'node:fs'

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const by = arg('by', 'function')
const n = Number(arg('n', 30))
const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, '')
    .replace(/.*\/dist\//, 'dist/')

function perRequest(spec) {
  const cut = spec.lastIndexOf(':')
  const [file, us] = [spec.slice(0, cut), Number(spec.slice(cut + 1))]
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map()
  let busy = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const { callFrame } = byId.get(profile.samples[i])
    if (callFrame.functionName === '(idle)') continue
    const dt = profile.timeDeltas[i + 1] ?? 0
    const key =
      by === 'file'
        ? short(callFrame.url) || `(${callFrame.functionName})`
        : `${callFrame.functionName || '(anonymous)'} ${short(callFrame.url)}:${callFrame.lineNumber + 1}`
    totals.set(key, (totals.get(key) ?? 0) + dt)
    busy += dt
  }
  for (const [key, t] of totals) totals.set(key, (t / busy) * us)
  return totals
}
const [a, b] = process.argv.slice(2, 4).map(perRequest)
const keys = new Set([...a.keys(), ...b.keys()])
const rows = [...keys].map((key) => [key, a.get(key) ?? 0, b.get(key) ?? 0]).sort((x, y) => y[2] - y[1] - (x[2] - x[1]))
console.log('µs/req  A → B  (Δ)  function')
for (const [key, x, y] of rows.slice(0, n))
  console.log(`${x.toFixed(2).padStart(6)} → ${y.toFixed(2).padStart(6)}  (${(y - x >= 0 ? '+' : '') + (y - x).toFixed(2)})  ${key}`)
