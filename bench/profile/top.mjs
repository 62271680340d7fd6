// Prints the top self-time functions of a V8 .cpuprofile (from node --cpu-prof), and with
// --by=file the self time per script (fetchline's own files, undici, node internals, …).
//
//   node bench/profile/top.mjs CPU.….cpuprofile [--n=30] [--by=file] [--grep=text]
import { readFileSync } from 'node:fs'

const file = process.argv[2]
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const n = Number(arg('n', 30))
const by = arg('by', 'function')
const grep = arg('grep', undefined)
const profile = JSON.parse(readFileSync(file, 'utf8'))

const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const hits = new Map()
// Sample i lasted timeDeltas[i + 1]; a node's self time is the sum over its samples.
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0
  hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + dt)
}
const short = (url) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, '')
    .replace(/.*\/dist\//, 'dist/')
const totals = new Map()
let all = 0
for (const [id, us] of hits) {
  const { callFrame } = byId.get(id)
  all += us
  const where = `${short(callFrame.url)}:${callFrame.lineNumber + 1}`
  const key = by === 'file' ? short(callFrame.url) || `(${callFrame.functionName})` : `${callFrame.functionName || '(anonymous)'} ${where}`
  totals.set(key, (totals.get(key) ?? 0) + us)
}
const rows = [...totals].filter(([key]) => !grep || key.includes(grep)).sort((a, b) => b[1] - a[1])
console.log(`${file}: ${(all / 1000).toFixed(0)} ms sampled`)
for (const [key, us] of rows.slice(0, n))
  console.log(`${((100 * us) / all).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`)
