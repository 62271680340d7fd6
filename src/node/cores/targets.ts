const SLASH = 0x2f

/**
 * A hop's `origin` and `path` for undici, from the URL's `href` (a stored string) alone: Node's
 * URL builds a new string in each of its `origin`, `pathname` and `search` getters (~0.45 KB a
 * request on Node 26, measured), and undici hashes a new origin string again to find its pool.
 * Nearly every request goes to the origin of the one before, so that string is reused.
 */
export class Targets {
  last = ''

  origin(url: URL): string {
    const { href } = url
    const last = this.last
    if (last !== '' && href.startsWith(last) && href.charCodeAt(last.length) === SLASH) return last
    const origin = url.origin
    // Only an href that starts with its origin (no user:pass@, which a redirect may bring) is kept.
    if (href.startsWith(origin) && href.charCodeAt(origin.length) === SLASH) this.last = origin
    return origin
  }

  /** `pathname + search`: the href after the origin, without a fragment. */
  path(url: URL, origin: string): string {
    const { href } = url
    if (!(href.startsWith(origin) && href.charCodeAt(origin.length) === SLASH)) return url.pathname + url.search
    const hash = href.indexOf('#', origin.length)
    return hash === -1 ? href.slice(origin.length) : href.slice(origin.length, hash)
  }
}
