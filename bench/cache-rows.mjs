// The cache() rows of bench/cache-hit.mjs: both fetchline cores on the stub Dispatcher of
// bench/rows.mjs, set up as bench/profile/drive.mjs sets up its fl-* rows, with `cache()` last in
// the pipeline and stub answers that carry `cache-control: max-age=3600` and an `etag`, so that
// after the first call every call is a fresh hit that never reaches the stub.
//
//   cache-undici        createClient({ core: 'undici', pool: { factory: () => stub }, middleware: [cache()] })
//   cache-fetch         the same on the fetch core
//   cache-undici-full   the undici core with [...recommended({ log: { logger } }), cache()] (the logger
//                       as drive.mjs's fl-undici-full: consola at info level, a reporter that drops lines)
//
// Loaded as a preload (`node --import ./bench/cache-rows.mjs bench/profile/drive.mjs …`, or through
// NODE_OPTIONS as bench/cache-hit.mjs does), it appends these rows to bench/rows.mjs's ROWS in that
// process only, so drive.mjs finds them by id while bench/run.mjs and bench/targets.mjs never see them.
//
// Checks, so a figure cannot be a miss in disguise:
//   - setup: the first call is a 'miss' that reaches the stub once, the second a 'hit' that does not;
//   - every call counts whether `res.cache === 'hit'` (a property read and a compare a call), the
//     stub counts its dispatches, and at exit the process fails (exit code 1) unless the stub was
//     reached exactly once and every call but the first was a hit; with FETCHLINE_CACHE_CHECK=file
//     those counts are written there for the harness to cross-check (as the server-side count of
//     the network rows is).
// FETCHLINE_BENCH_BUILD=dir: the build to load (package.json, dist/, node_modules), as drive.mjs's
// `@dir`; the worktree by default.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createStubDispatcher, ROWS } from './rows.mjs'

const STUB_PATH = '/stub/json'
/** What the stub answers on top of its content-type and content-length. */
export const CACHE_HEADERS = { 'cache-control': 'max-age=3600', etag: '"stub-v1"' }

async function cacheRow({ origin }, { core, full }) {
  const dir = process.env.FETCHLINE_BENCH_BUILD || fileURLToPath(new URL('..', import.meta.url))
  const load = (path) => import(pathToFileURL(resolve(dir, path)).href)
  const { createClient, recommended } = await load('dist/index.js')
  const { cache } = await load('dist/middleware/index.js')
  let middleware = [cache()]
  if (full) {
    const { createConsola } = await import('consola')
    const logger = createConsola({ level: 3, reporters: [{ log() {} }] })
    middleware = [...recommended({ log: { logger } }), cache()]
  }
  const counts = { calls: 0, hits: 0, dispatches: 0 }
  const stub = await createStubDispatcher({ headers: CACHE_HEADERS })
  const dispatch = stub.dispatch
  stub.dispatch = function counted(opts, handler) {
    counts.dispatches++
    return dispatch.call(this, opts, handler)
  }
  const client = createClient({ baseURL: origin, core, pool: { factory: () => stub }, middleware })
  const call = async () => {
    const res = await client.get(STUB_PATH)
    counts.calls++
    if (res.cache === 'hit') counts.hits++
    return res
  }
  const stubOnly = () => Promise.reject(new Error('the cache rows run the stub scenarios only'))
  return {
    get: stubOnly,
    post: stubOnly,
    async stubSetup() {
      const first = await call()
      if (first.cache !== 'miss' || counts.dispatches !== 1)
        throw new Error(`cache row: first call was '${first.cache}' with ${counts.dispatches} dispatches, not a 'miss' with 1`)
      const second = await call()
      if (second.cache !== 'hit' || counts.dispatches !== 1)
        throw new Error(`cache row: second call was '${second.cache}' with ${counts.dispatches} dispatches, not a 'hit' with 1`)
      process.on('exit', () => {
        const ok = counts.dispatches === 1 && counts.hits === counts.calls - 1
        if (process.env.FETCHLINE_CACHE_CHECK) writeFileSync(process.env.FETCHLINE_CACHE_CHECK, JSON.stringify({ ...counts, ok }))
        if (!ok) {
          process.stderr.write(`cache row: ${counts.calls} calls, ${counts.hits} hits, ${counts.dispatches} stub dispatches\n`)
          process.exitCode = 1
        }
      })
      return async () => (await call()).data
    },
    close: () => client.close(),
  }
}

export const CACHE_ROWS = [
  {
    id: 'cache-undici',
    name: 'fetchline undici core + cache(), hit',
    fetchline: true,
    note: "createClient({ baseURL, core: 'undici', pool: { factory: () => stub }, middleware: [cache()] }); the stub answers max-age=3600 with an ETag, so every call after the first is a hit.",
    setup: (ctx) => cacheRow(ctx, { core: 'undici', full: false }),
  },
  {
    id: 'cache-fetch',
    name: 'fetchline fetch core + cache(), hit',
    fetchline: true,
    note: 'as above on the fetch core.',
    setup: (ctx) => cacheRow(ctx, { core: 'fetch', full: false }),
  },
  {
    id: 'cache-undici-full',
    name: 'fetchline undici core + [...recommended(), cache()], hit',
    fetchline: true,
    note: 'the undici core with middleware: [...recommended({ log: { logger } }), cache()] (consola at info level, a silent reporter).',
    setup: (ctx) => cacheRow(ctx, { core: 'undici', full: true }),
  },
]

for (const row of CACHE_ROWS) if (!ROWS.some((r) => r.id === row.id)) ROWS.push(row)
