// Prints the top allocation sites (self bytes) of a V8 .heapprofile (node --heap-prof
// --heap-prof-interval=…): the sampling heap profiler's view of what a workload allocates.
//
//   node bench/profile/heap-top.mjs Heap.….heapprofile [--n=30] [--per=<requests>]
import { readFileSync } from 'node:fs'

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const n = Number(arg('n', 30))
const per = Number(arg('per', 0))
const { head } = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const totals = new Map()
let all = 0
;(function walk(node) {
  const self = node.selfSize ?? 0
  const { functionName, url, lineNumber } = node.callFrame
  const key = `${functionName || '(anonymous)'} ${url.replace(/.*\/node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}`
  if (self) totals.set(key, (totals.get(key) ?? 0) + self)
  all += self
  for (const child of node.children) walk(child)
})(head)
const unit = per ? 'B/req' : 'KB'
const scale = (bytes) => (per ? bytes / per : bytes / 1024)
console.log(`${scale(all) | 0} ${unit} sampled in all`)
for (const [key, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, n))
  console.log(`${scale(bytes).toFixed(0).padStart(8)} ${unit}  ${key}`)
