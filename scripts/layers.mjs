#!/usr/bin/env node
// The layout check: reads the imports of src/ (type imports and re-exports too) and fails on an
// import circle between files, a circle between folders, or a source file over 300 lines. Prints
// the folders from the top floor down, each with its lines and the folders it imports.
// `#headers` and `#transport` are followed to their targets in package.json "imports"; a file
// that map names is a room of its own (the map, not its folder, decides who loads it), so
// src/core/headers.ts -> #headers -> src/node/headers.ts ties no circle between core/ and node/.
// See docs/layout.md.  Run: node scripts/layers.mjs
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

const root = join(dirname(new URL(import.meta.url).pathname), '..')
const MAX_LINES = 300
const files = readdirSync(join(root, 'src'), { recursive: true })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `src/${f.split('\\').join('/')}`)
  .sort()
const known = new Set(files)

const seams = new Map() // '#headers' -> ['src/node/headers.ts', 'src/web/headers.ts']
const map = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports ?? {}
for (const [name, targets] of Object.entries(map)) {
  const sources = Object.values(targets).map((t) => t.replace(/^\.\/dist\//, '').replace(/(\.d)?\.js$|\.d\.ts$/, '.ts'))
  seams.set(
    name,
    [...new Set(sources)].filter((f) => known.has(f)),
  )
}
const doors = new Set([...seams.values()].flat())

// Statements at the start of a line only: doc comments' examples (` * import …`) are not imports.
const STATIC = /^(?:import|export)\b[^;'"]*?(?:from\s*)?['"]([^'"]+)['"]/gm
const DYNAMIC = /^[^*/\n]*?\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm
const imports = new Map()
const lines = new Map()
for (const file of files) {
  const text = readFileSync(join(root, file), 'utf8')
  lines.set(file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0))
  const targets = new Set()
  for (const re of [STATIC, DYNAMIC]) {
    for (const [, spec] of text.matchAll(re)) {
      if (seams.has(spec)) for (const t of seams.get(spec)) targets.add(t)
      else if (spec.startsWith('.')) {
        const t = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts')
        if (known.has(t)) targets.add(t)
      }
    }
  }
  imports.set(file, targets)
}

// A folder is the first one under src/ (src/node/cores/ belongs to node/); src/index.ts is the top.
const roomOf = (f) => (doors.has(f) ? f : f.split('/').length > 2 ? `src/${f.split('/')[1]}/` : f)

// Tarjan's strongly connected components: every component of more than one member is a circle.
function circles(nodes, edges) {
  let index = 0
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set(),
    found = []
  const visit = (v) => {
    idx.set(v, index), low.set(v, index++), stack.push(v), on.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) visit(w), low.set(v, Math.min(low.get(v), low.get(w)))
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const part = []
      let w
      do (w = stack.pop()), on.delete(w), part.push(w)
      while (w !== v)
      if (part.length > 1 || edges.get(v)?.has(v)) found.push(part.sort())
    }
  }
  for (const v of nodes) if (!idx.has(v)) visit(v)
  return found
}

const rooms = [...new Set(files.map(roomOf))]
const roomEdges = new Map(rooms.map((r) => [r, new Set()]))
for (const [f, ts] of imports) for (const t of ts) if (roomOf(t) !== roomOf(f)) roomEdges.get(roomOf(f)).add(roomOf(t))

const fileCircles = circles(files, imports)
const roomCircles = circles(rooms, roomEdges)
const big = files.filter((f) => lines.get(f) > MAX_LINES)

// Floors: a room stands one above the highest room it imports (only meaningful without circles).
const floor = new Map()
const floorOf = (r, seen = new Set()) => {
  if (floor.has(r)) return floor.get(r)
  if (seen.has(r)) return 0
  seen.add(r)
  const f = 1 + Math.max(0, ...[...roomEdges.get(r)].map((t) => floorOf(t, seen)))
  floor.set(r, f)
  return f
}
for (const r of rooms) floorOf(r)
const sum = (r) => files.filter((f) => roomOf(f) === r).reduce((n, f) => n + lines.get(f), 0)
const longest = files.reduce((a, b) => (lines.get(b) > lines.get(a) ? b : a))
for (const r of rooms.sort((a, b) => floor.get(b) - floor.get(a) || a.localeCompare(b))) {
  const under = [...roomEdges.get(r)].map((t) => relative('src', t) || t).sort()
  console.log(
    `floor ${String(floor.get(r)).padStart(2)}  ${relative('src', r).padEnd(22)} ${String(sum(r)).padStart(5)} lines  -> ${under.join(' ') || '(nothing)'}`,
  )
}
console.log(`\n${files.length} files, ${[...lines.values()].reduce((a, b) => a + b)} lines; longest ${longest} (${lines.get(longest)})`)
console.log(`file circles: ${fileCircles.length}, folder circles: ${roomCircles.length}, files over ${MAX_LINES} lines: ${big.length}`)
for (const c of fileCircles) console.log(`  file circle: ${c.join(' <-> ')}`)
for (const c of roomCircles) console.log(`  folder circle: ${c.join(' <-> ')}`)
for (const f of big) console.log(`  over ${MAX_LINES}: ${f} ${lines.get(f)}`)
if (fileCircles.length || roomCircles.length || big.length) process.exit(1)
