// The command line of bench/run.mjs, parsed in one place so a typo fails before anything starts.

/** The Node lines `--node=` takes (binaries: see bench/runtimes.mjs). */
export const NODE_LINES = ['20', '22', '24', '26']
/** The runtimes `--runtime=` takes; each runs the fetch rows on its own fetch. */
export const RUNTIMES = ['bun', 'deno']

const OPTIONS = {
  '--quick': 'flag',
  '--node': 'list',
  '--runtime': 'list',
  '--rows': 'list',
  '--wait-quiet': 'seconds',
  '--out': 'text',
  '--runtime-line': 'text', // internal: the child that runs one Bun or Deno line
}

function list(name, value, allowed) {
  const items = value.split(',').map((item) => item.trim())
  if (items.some((item) => item === ''))
    throw new Error(`${name}= needs a comma-separated list, e.g. ${name}=${allowed?.join(',') ?? 'a,b'}`)
  for (const [i, item] of items.entries()) {
    if (items.indexOf(item) !== i) throw new Error(`${name}= lists "${item}" twice`)
    if (allowed && !allowed.includes(item)) {
      throw new Error(`${name}=: unknown value "${item}"; choose from ${allowed.join(', ')} (e.g. ${name}=${allowed.join(',')})`)
    }
  }
  return items
}

function nearest(flag) {
  const stem = flag.replace(/^-+/, '').slice(0, 3)
  return Object.keys(OPTIONS).find((known) => known.slice(2).startsWith(stem))
}

/**
 * `--quick --node=20,22 --runtime=bun --rows=a,b --wait-quiet=60 --out=DIR` → an options object.
 * Unknown options, unknown Node lines, runtimes or (given `rowIds`) rows throw an Error that says
 * what is accepted.
 */
export function parseArgs(argv, { rowIds } = {}) {
  const args = { quick: false, node: undefined, runtime: undefined, rows: undefined, waitQuiet: 0, out: undefined, runtimeLine: undefined }
  for (const arg of argv) {
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const value = eq === -1 ? undefined : arg.slice(eq + 1)
    const kind = OPTIONS[name]
    if (kind === undefined) {
      const guess = nearest(name)
      throw new Error(
        `unknown option "${arg}"${guess ? `; did you mean ${guess}?` : ''} (options: ${Object.keys(OPTIONS).slice(0, -1).join(', ')})`,
      )
    }
    if (kind === 'flag') {
      if (value !== undefined) throw new Error(`${name} takes no value (got "${arg}")`)
      args.quick = true
      continue
    }
    if (value === undefined || value === '') throw new Error(`${name} needs a value: ${name}=…`)
    if (name === '--node') args.node = list(name, value, NODE_LINES)
    else if (name === '--runtime') args.runtime = list(name, value, RUNTIMES)
    else if (name === '--rows') args.rows = list(name, value, rowIds)
    else if (name === '--out') args.out = value
    else if (name === '--runtime-line') args.runtimeLine = list(name, value, RUNTIMES)[0]
    else {
      const seconds = Number(value)
      if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`--wait-quiet= needs a number of seconds ≥ 0, got "${value}"`)
      args.waitQuiet = Math.min(600, seconds)
    }
  }
  return args
}
