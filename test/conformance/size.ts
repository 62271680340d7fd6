// maxResponseSize on every runtime: the body is counted once the runtime's fetch (or the undici
// core, where there is undici) has decoded it, and the read stops as soon as it passes the limit —
// a gzip bomb of 1 GiB (~1 MB on the wire) included.
import type { Case } from './assert.js'
import { check, checkError, equal, rejects } from './assert.js'

const MiB = 1024 * 1024

export const size: Record<string, Case> = {
  async 'maxResponseSize: a gzip bomb stops at the limit, counted decoded, on every core there is'(ctx) {
    const cores = ctx.runtime === 'bun' || ctx.runtime === 'workerd' ? (['fetch'] as const) : (['fetch', 'undici'] as const)
    for (const core of cores) {
      await using api = ctx.lib.core.createClient({ baseURL: ctx.url, core, maxResponseSize: 4 * MiB })
      const started = Date.now()
      const error = await rejects(api.get('/bomb', { query: { mib: 1024 } }), `GET /bomb on the ${core} core`)
      checkError(error, 'MaxResponseSizeError', 'FL_ERR_MAX_RESPONSE_SIZE')
      check(ctx.lib.core.isMaxResponseSizeError(error), 'isMaxResponseSizeError')
      equal([error.limit, error.status], [4 * MiB, 200], `[limit, status] on the ${core} core`)
      const received = error.received as number
      check(received > 4 * MiB && received <= 6 * MiB, `bytes read on the ${core} core: ${received}`)
      check(Date.now() - started < 20_000, `the ${core} core stopped in ${Date.now() - started} ms`)
    }
  },
  async "maxResponseSize: a call's own limit, and Infinity, override the client's"(ctx) {
    await using api = ctx.lib.core.createClient({ baseURL: ctx.url, maxResponseSize: 10 })
    const error = await rejects(api.get('/encoded'), 'GET /encoded, 10 bytes at most')
    equal([error.name, error.limit], ['MaxResponseSizeError', 10], '[name, limit]')
    const { data } = await api.get<{ hello: string }>('/encoded', { maxResponseSize: Number.POSITIVE_INFINITY })
    equal(data.hello, 'world', 'read with no limit')
  },
}
