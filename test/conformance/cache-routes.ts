// The conformance server's routes for cache() (test/conformance/cache.ts): one cacheable document
// per `key` (each case and run its own), and what the server saw of it. Nothing secret is echoed:
// the answer names its caller's Authorization by a short checksum only.
import type { IncomingMessage, ServerResponse } from 'node:http'

/** What `/cache/doc` saw of one key: answers by kind, and each GET's If-None-Match (null: none). */
export type CacheSeen = { full: number; notModified: number; failed: number; posts: number; conditional: (string | null)[] }

const seen = new Map<string, CacheSeen>()
const of = (key: string): CacheSeen => {
  let s = seen.get(key)
  if (!s) seen.set(key, (s = { full: 0, notModified: 0, failed: 0, posts: 0, conditional: [] }))
  return s
}

/** A short checksum of a header value (FNV-1a, base 36): tells callers apart without echoing them. */
export const checksum = (value: string): string => {
  let h = 0x811c9dc5
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}

export const cacheRoutes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => void> = {
  // GET: 200 with `Cache-Control: <cc>` (max-age=60 by default), an ETag per caller with `etag=1`,
  // `X-Served: <nth request of this key>` and a JSON body ({ n, who, pad: `size` bytes of "x"}); a
  // 304 to a matching If-None-Match (with X-Served refreshed); a 503 after the first full answer
  // with `fail=after1`; after `delay` ms. Any other method: `status` (204) and counted.
  '/cache/doc': (req, res, url) => {
    const q = url.searchParams
    const s = of(q.get('key') ?? '')
    if (req.method !== 'GET') {
      s.posts++
      return void res.writeHead(Number(q.get('status') ?? 204)).end()
    }
    const who = checksum(req.headers.authorization ?? '')
    const etag = q.get('etag') === '1' ? `"v1-${who}"` : undefined
    const sent = req.headers['if-none-match'] ?? null
    s.conditional.push(sent)
    const n = s.full + s.notModified + s.failed + 1
    const cc = q.get('cc') ?? 'max-age=60'
    const reply = (): void => {
      if (q.get('fail') === 'after1' && s.full >= 1) {
        s.failed++
        return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}')
      }
      if (etag && sent === etag) {
        s.notModified++
        return void res.writeHead(304, { etag, 'cache-control': cc, 'x-served': String(n) }).end()
      }
      s.full++
      const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': cc, 'x-served': String(n) }
      if (etag) headers.etag = etag
      res.writeHead(200, headers).end(JSON.stringify({ n, who, pad: 'x'.repeat(Number(q.get('size') ?? 0)) }))
    }
    const delay = Number(q.get('delay') ?? 0)
    if (delay > 0) setTimeout(reply, delay)
    else reply()
  },
  '/cache/seen': (_req, res, url) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify(of(url.searchParams.get('key') ?? '')))
  },
}
