#!/usr/bin/env node
// Type-checks every ```ts block of README.md and docs/*.md, each on its own as a module.
//
//   npx tsc -p tsconfig.build.json   # once: blocks import 'fetchline-http', which resolves to dist/
//   node scripts/check-docs.mjs
//
// Each block is written to docs/.check/<page>-<n>.ts (the folder is recreated on every run, and
// `export {}` is appended so every block is a module) and the folder is compiled with
// tsconfig.docs.json: the project's strict settings, noEmit, plus the decorator flags every NestJS
// project sets. It moves outDir away from dist/ on purpose: with outDir = dist, TypeScript maps a
// self-import of the package back to the sources, and the blocks would not be checked against the
// built package (dist/*.d.ts) that users get. Compiler errors are reported at the page's line.
// A block must import or define every name it uses, as a reader would have to: nothing is added
// in front of it. Blocks in other languages (sh, text) are not checked. A block whose first line
// is only a file path (`// src/app.module.ts`) is written at that path under docs/.check/<page>/,
// so a later block of the same page can import it as a project would (`./app.module.js`).
// A translation (guide.zh-CN.md next to guide.md) must carry exactly the same code blocks as the
// page it translates, in the same order; only ```text blocks (diagrams, folder trees) may be
// translated. Exits non-zero, with the compiler's output, when anything fails.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const docs = join(root, 'docs')
const out = join(docs, '.check')
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')

/** Every fenced block of a Markdown text: its language tag, its code and the line it starts on. */
function fencedBlocks(text) {
  const blocks = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w.+-]*)/.exec(lines[i])
    if (!open) continue
    const [, indent, fence, lang] = open
    const body = []
    let j = i + 1
    for (; j < lines.length; j++) {
      const line = lines[j]
      // A closing fence: the same character, at least as long, nothing after it.
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(line)
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break
      body.push(indent && line.startsWith(indent) ? line.slice(indent.length) : line)
    }
    if (j === lines.length) throw new Error(`unclosed code fence opened at line ${i + 1}`)
    blocks.push({ lang: lang.toLowerCase(), code: body.join('\n'), line: i + 1 })
    i = j
  }
  return blocks
}

function fail(message) {
  console.error(message)
  process.exit(1)
}

if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
  fail(
    "dist/ is missing: the blocks import 'fetchline-http', which resolves to the built package. Run `npx tsc -p tsconfig.build.json` first.",
  )
}
const newestSource = ['index.ts', 'src', 'middleware', 'clients']
  .flatMap((entry) => {
    const path = join(root, entry)
    if (!existsSync(path)) return []
    if (statSync(path).isFile()) return [statSync(path).mtimeMs]
    return readdirSync(path, { recursive: true })
      .filter((name) => String(name).endsWith('.ts'))
      .map((name) => statSync(join(path, String(name))).mtimeMs)
  })
  .reduce((a, b) => Math.max(a, b), 0)
if (newestSource > statSync(join(root, 'dist', 'index.d.ts')).mtimeMs) {
  console.warn('warning: dist/ is older than the sources; run `npx tsc -p tsconfig.build.json` to check against the current API.')
}

// Every page whose blocks are checked, as a path from the repository's root: the README, then every
// docs/*.md in name order (the reference pages the README links to, and the guides).
const pages = [
  'README.md',
  ...readdirSync(docs)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
]
if (pages.length === 1) fail('no docs/*.md found')

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const codeOf = new Map() // page → its code blocks (every language), for comparing translations
const origin = new Map() // docs/.check file name → where its block starts in the page
let written = 0
for (const page of pages) {
  let blocks
  try {
    blocks = fencedBlocks(readFileSync(join(root, page), 'utf8'))
  } catch (error) {
    fail(`${page}: ${error.message}`)
  }
  codeOf.set(page, blocks)
  const name = basename(page, '.md')
  let n = 0
  for (const block of blocks) {
    if (block.lang !== 'ts' && block.lang !== 'typescript') continue
    n++
    // The header says where the block came from; `export {}` keeps a block without imports a module.
    const path = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)$/m.exec(block.code.split('\n', 1)[0] ?? '')?.[1]
    const file = path ? `${name}/${path}` : `${name}-${n}.ts`
    mkdirSync(dirname(join(out, file)), { recursive: true })
    writeFileSync(join(out, file), `// ${page}, block ${n}, line ${block.line}\n${block.code}\nexport {}\n`)
    origin.set(file, { page, line: block.line })
    written++
  }
}

// A translation must show the same code as the page it translates: name.lang.md ↔ name.md.
const mismatches = []
const code = (blocks) => blocks.filter((block) => block.lang !== 'text')
for (const [page, all] of codeOf) {
  const match = /^(.+?)\.[\w-]+\.md$/.exec(page)
  const original = match && codeOf.has(`${match[1]}.md`) ? code(codeOf.get(`${match[1]}.md`)) : undefined
  if (!original) continue
  const blocks = code(all)
  const count = Math.max(blocks.length, original.length)
  for (let i = 0; i < count; i++) {
    const a = original[i]
    const b = blocks[i]
    if (a?.lang === b?.lang && a?.code === b?.code) continue
    mismatches.push(
      `${page} code block ${i + 1}${b ? ` (line ${b.line})` : ' (missing)'} differs from ${match[1]}.md${a ? ` line ${a.line}` : ' (no such block)'}`,
    )
    break // the first difference is enough to find the rest
  }
}

const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.docs.json'), '--pretty', 'false'], {
  cwd: root,
  encoding: 'utf8',
})
// Point each diagnostic at the page: line 2 of a block's file is the line after its opening fence.
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
  .trim()
  .replace(/^docs\/\.check\/([^(\s]+)\((\d+),(\d+)\)/gm, (found, file, line, column) => {
    const from = origin.get(file)
    return from ? `${from.page}:${from.line + Number(line) - 1}:${column} (${found})` : found
  })
if (result.error) fail(`could not run the TypeScript compiler (${relative(root, tsc)}): ${result.error.message}`)
if (result.status !== 0 || mismatches.length) {
  if (output) console.error(output)
  for (const line of mismatches) console.error(line)
  fail(`\ndocs check failed: ${written} TypeScript blocks from ${pages.length} page(s) in ${relative(root, out)}/`)
}
console.log(`docs check passed: ${written} TypeScript blocks from ${pages.join(', ')} type-check`)
