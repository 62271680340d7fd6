// Compressed answers on every runtime: the fetch core has them decoded by the runtime's fetch, the
// undici core (where there is undici: Node, Deno) by its own handler, which asks for what undici's
// fetch asks for. The server's `/encoded` sends JSON in the coding `as` names. What each platform's
// own fetch leaves undecoded is pinned here, so a change in a runtime shows up.
import type { Case, Runtime } from './assert.js'
import { equal } from './assert.js'

const FORMS = ['gzip', 'deflate', 'raw', 'br', 'gzip-br']
/** The forms decoded per runtime: Bun's fetch undoes no stacked codings; workerd's only gzip and br. */
const DECODED: Record<Runtime, string[]> = {
  node: FORMS,
  deno: FORMS,
  bun: ['gzip', 'deflate', 'raw', 'br'],
  workerd: ['gzip', 'br'],
}
type Encoded = { hello: string; accept: string | null }

export const encoding: Record<string, Case> = {
  async 'compressed answers: gzip, deflate (zlib and raw), br and "gzip, br", on every core there is'(ctx) {
    const cores = ctx.runtime === 'bun' || ctx.runtime === 'workerd' ? (['fetch'] as const) : (['fetch', 'undici'] as const)
    const asked: Record<string, string | null> = {}
    for (const core of cores) {
      await using api = ctx.lib.core.createClient({ baseURL: ctx.url, core })
      const decoded: string[] = []
      for (const form of FORMS) {
        const res = await api.get<Encoded>('/encoded', { query: { as: form } }).catch(() => undefined)
        if (res?.data.hello === 'world') decoded.push(form)
        asked[core] = res?.data.accept ?? asked[core] ?? null
      }
      equal(decoded, DECODED[ctx.runtime], `the forms the ${core} core decodes on ${ctx.runtime}`)
    }
    if (cores.length === 2) equal(asked.undici, asked.fetch, "the undici core's accept-encoding, as the fetch core's")
  },
}
