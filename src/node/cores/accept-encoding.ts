/**
 * What the undici core asks for when the caller did not say: exactly what undici's fetch (the
 * fetch core) sends, so a server answers both cores alike — `br, gzip, deflate` over TLS, and
 * `gzip, deflate` over plain HTTP, where browsers leave `br` out because intermediaries have
 * mangled codings they did not know. zstd is decoded when a server sends it (see decode.ts) but
 * not asked for: undici's fetch does not ask either, and Node's zstd is still experimental.
 * https://fetch.spec.whatwg.org/#http-network-or-cache-fetch (step "Modify httpRequest's header
 * list per HTTP"); undici lib/web/fetch/index.js.
 */
const OVER_TLS = 'br, gzip, deflate'
const PLAIN = 'gzip, deflate'
/** A `Range` request asks for the bytes as stored, which its offsets count (fetch does the same). */
const RANGED = 'identity'

// The client's shared header lists (frozen, see RequestHeaders.flat) with `accept-encoding` added, per scheme.
const overTLS = new WeakMap<readonly string[], readonly string[]>()
const plain = new WeakMap<readonly string[], readonly string[]>()

/**
 * `headers` (undici's flat `[name, value, …]` list, lower-case names, as `flatHeaders` makes it)
 * with an `accept-encoding` when the caller set none; a caller's own value, `identity` included, is
 * sent as it is. A frozen list is shared by every call of a client: its copy is made once and kept.
 * Any other list was made for this request alone and is added to in place.
 *
 * @example
 * const headers = withAcceptEncoding(flatHeaders(request.headers), 'https://api.example.com')
 */
export function withAcceptEncoding(headers: readonly string[], origin: string): readonly string[] {
  const tls = origin.charCodeAt(4) === 0x73 // "https:" (undici's origins are lower-case)
  if (!Object.isFrozen(headers)) return addTo(headers as string[], tls)
  const made = tls ? overTLS : plain
  let list = made.get(headers)
  if (list === undefined) made.set(headers, (list = Object.freeze(addTo([...headers], tls))))
  return list
}

function addTo(list: string[], tls: boolean): string[] {
  let ranged = false
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]
    if (name === 'accept-encoding') return list
    if (name === 'range') ranged = true
  }
  list.push('accept-encoding', ranged ? RANGED : tls ? OVER_TLS : PLAIN)
  return list
}
