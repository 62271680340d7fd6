/**
 * The `Link` header (RFC 8288), parsed as its Appendix B says a client should: leniently, with
 * relation types case-insensitive, several per link (`rel="next last"`), and the first `rel` of a
 * link the one that counts. Written here rather than taken from npm: `parse-link-header` needs
 * Node's `url` and `querystring` and returns nothing past 2000 characters (long cursors), and
 * `http-link-header` is CommonJS and throws on what Appendix B skips; this one is 50 lines.
 * https://www.rfc-editor.org/rfc/rfc8288#appendix-B
 */

/** One link of a `Link` header: its target as written and its parameters, names lowercased. */
export type Link = { readonly target: string; readonly params: ReadonlyMap<string, string> }

// OWS is space and tab; line breaks count too, for a folded header (obsolete, RFC 9112 §5.2).
const OWS = /[ \t\r\n]/

/**
 * Every link of a `Link` field value. Several `Link` header lines are one value joined with `, `
 * (what `Headers.get` returns). Parsing stops at the first malformed link (Appendix B.2).
 *
 * @example
 * parseLinkHeader('<https://api.test/items?page=2>; rel="next last"')
 * // [{ target: 'https://api.test/items?page=2', params: Map { 'rel' => 'next last' } }]
 */
export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = []
  const at = { i: 0 }
  while (at.i < header.length) {
    skip(header, at)
    if (header[at.i] !== '<') break
    const end = header.indexOf('>', at.i)
    if (end === -1) break
    const target = header.slice(at.i + 1, end)
    at.i = end + 1
    links.push({ target, params: parseParams(header, at) })
    skip(header, at)
    // Appendix B.3 stops before the comma between two links; step over it here.
    if (header[at.i] === ',') at.i++
  }
  return links
}

/** Appendix B.3: `; name=value` pairs up to the next `,` or the end; the first of a name wins. */
function parseParams(header: string, at: { i: number }): Map<string, string> {
  const params = new Map<string, string>()
  for (;;) {
    skip(header, at)
    if (header[at.i] !== ';') return params
    at.i++
    skip(header, at)
    let name = ''
    while (at.i < header.length && !/[ \t\r\n=;,]/.test(header[at.i] as string)) name += header[at.i++]
    skip(header, at)
    let value = ''
    if (header[at.i] === '=') {
      at.i++
      skip(header, at)
      value = header[at.i] === '"' ? quoted(header, at) : unquoted(header, at)
    }
    name = name.toLowerCase()
    if (!params.has(name)) params.set(name, value)
  }
}

/** Appendix B.4: a quoted string, backslash escapes undone. */
function quoted(header: string, at: { i: number }): string {
  let out = ''
  for (at.i++; at.i < header.length; at.i++) {
    const char = header[at.i] as string
    if (char === '"') {
      at.i++
      return out
    }
    if (char === '\\') at.i++
    out += header[at.i] ?? ''
  }
  return out
}

function unquoted(header: string, at: { i: number }): string {
  const start = at.i
  while (at.i < header.length && header[at.i] !== ';' && header[at.i] !== ',') at.i++
  return header.slice(start, at.i).trim()
}

function skip(header: string, at: { i: number }): void {
  while (at.i < header.length && OWS.test(header[at.i] as string)) at.i++
}

/**
 * The target of the first link whose relation types include `rel` (case-insensitive), resolved
 * against `base` (the URL of the response that carried the header, RFC 8288 §3.2). A link with an
 * `anchor` for another resource describes that resource, not this page, and is passed over.
 *
 * @example
 * findLink('</items?page=3>; rel=next', 'https://api.test/v1/items?page=2', 'next') // URL https://api.test/items?page=3
 */
export function findLink(header: string | null, base: string, rel: string): URL | undefined {
  if (!header) return undefined
  for (const link of parseLinkHeader(header)) {
    const rels = (link.params.get('rel') ?? '').toLowerCase().split(/[ \t\r\n]+/)
    if (!rels.includes(rel)) continue
    const anchor = link.params.get('anchor')
    if (anchor !== undefined && resolve(anchor, base)?.href !== resolve('', base)?.href) continue
    const url = resolve(link.target, base)
    if (url) return url
  }
  return undefined
}

function resolve(reference: string, base: string): URL | undefined {
  try {
    return new URL(reference, base)
  } catch {
    return undefined
  }
}
