// The Link header grammar (RFC 8288 §3 and its Appendix B parsing algorithm). Cases ported, in our
// own words, from http-link-header (test/rfc-examples.js, quotes.js, in-the-wild.js) and
// parse-link-header (test/parse-link-header.js); paginate's own behaviour is in paginate.test.ts.
import { describe, expect, it } from 'vitest'
import { findLink, parseLinkHeader } from '../../src/features/link.js'

const rels = (header: string) => parseLinkHeader(header).map((link) => [link.target, link.params.get('rel')])
const next = (header: string, base = 'https://api.test/v1/items') => findLink(header, base, 'next')?.href

describe('parseLinkHeader', () => {
  it('reads RFC 8288 §3.5 example 1: a quoted title after a line break', () => {
    // http-link-header: rfc-examples.js "Example 1: Previous Chapter"
    const [link] = parseLinkHeader('<http://example.com/TheBook/chapter2>; rel="previous";\n\t title="previous chapter"')
    expect(link?.target).toBe('http://example.com/TheBook/chapter2')
    expect(Object.fromEntries(link?.params ?? [])).toEqual({ rel: 'previous', title: 'previous chapter' })
  })

  it('reads RFC 8288 §3.5 examples 4 and 6: two links, extended title* values', () => {
    // http-link-header: rfc-examples.js "Example 4: UTF-8", "Example 6: Equivalence"
    const header =
      '</TheBook/chapter2>; rel="previous"; title*=UTF-8\'de\'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8\'de\'n%c3%a4chstes%20Kapitel'
    expect(rels(header)).toEqual([
      ['/TheBook/chapter2', 'previous'],
      ['/TheBook/chapter4', 'next'],
    ])
  })

  it('keeps commas and semicolons inside quoted values', () => {
    // http-link-header: quotes.js "attribute with semicolon", "multiple links with mixed comma & semicolon"
    expect(rels('<example.com>; rel="example,comma", <example-01.com>; rel="alternate;semicolon"')).toEqual([
      ['example.com', 'example,comma'],
      ['example-01.com', 'alternate;semicolon'],
    ])
    expect(parseLinkHeader('<http://e.test/q>; rel="previous"; title="previous, chapter; two"')[0]?.params.get('title')).toBe(
      'previous, chapter; two',
    )
  })

  it('undoes backslash escapes in quoted strings (Appendix B.4)', () => {
    expect(parseLinkHeader('<a>; title="say \\"hi\\""; rel=next')[0]?.params.get('title')).toBe('say "hi"')
  })

  it('keeps commas and semicolons inside the <URI>', () => {
    // parse-link-header: "a comma in the url", "matrix parameters"
    expect(next('<https://imaginary.url.notreal/segment;foo=bar;baz/item?name=What,+me+worry>; rel="next";')).toBe(
      'https://imaginary.url.notreal/segment;foo=bar;baz/item?name=What,+me+worry',
    )
  })

  it('lowercases parameter names and lets the first rel of a link count', () => {
    // RFC 8288 §3.3: "occurrences after the first MUST be ignored by parsers"
    expect(rels('<a>; REL=next; rel=prev')).toEqual([['a', 'next']])
    expect(next('<a>; rel=prev; rel=next')).toBeUndefined()
  })

  it('stops at the first malformed link and keeps the links before it (Appendix B.2)', () => {
    expect(rels('<a>; rel=prev, garbage; rel=next, <b>; rel=next')).toEqual([['a', 'prev']])
    expect(rels('<a>; rel=prev, <b; rel=next')).toEqual([['a', 'prev']])
    expect(rels('')).toEqual([])
  })
})

describe('findLink', () => {
  it('finds next among next, prev and last (GitHub)', () => {
    // http-link-header: in-the-wild.js "GitHub pagination links"; parse-link-header: "next, prev and last"
    const header =
      '<https://api.github.com/user/9287/repos?page=3&per_page=100>; rel="next", <https://api.github.com/user/9287/repos?page=1&per_page=100>; rel="prev", <https://api.github.com/user/9287/repos?page=5&per_page=100>; rel="last"'
    expect(next(header)).toBe('https://api.github.com/user/9287/repos?page=3&per_page=100')
  })

  it('reads unquoted rels, rels without spaces, and other parameters', () => {
    // parse-link-header: "handles unquoted relationships", "properties besides rel"; http-link-header: LetsEncrypt
    expect(next('<https://e.test/a>; rel=last, <https://e.test/b>; rel=next')).toBe('https://e.test/b')
    expect(next('<https://e.test/new-authz>;rel="next", <https://e.test/tos.pdf>;rel="terms-of-service"')).toBe('https://e.test/new-authz')
    expect(next('<https://e.test/c>; hello="world"; rel="next"; pet="cat"')).toBe('https://e.test/c')
  })

  it('matches one of several rels, in any case', () => {
    // parse-link-header: "a multi-word rel"; RFC 8288 §3.3: relation types compare case-insensitively
    expect(next('<https://e.test/p2>; rel="next last"')).toBe('https://e.test/p2')
    expect(next('<https://e.test/p2>; rel="last  NEXT"')).toBe('https://e.test/p2')
    expect(next('<https://e.test/p2>; Rel=Next')).toBe('https://e.test/p2')
    expect(next('<https://e.test/p2>; rel="nextpage"')).toBeUndefined()
  })

  it('passes over links without rel, and answers undefined without a next', () => {
    // parse-link-header: "a link without rel"; got: "the link header has no next value", "is empty"
    expect(next('<https://e.test/x>; pet="cat", <https://e.test/y>; rel=next')).toBe('https://e.test/y')
    expect(next('<https://example.com>; rel="prev"')).toBeUndefined()
    expect(findLink('', 'https://e.test/', 'next')).toBeUndefined()
    expect(findLink(null, 'https://e.test/', 'next')).toBeUndefined()
  })

  it('resolves a relative target against the page URL (RFC 8288 §3.2, RFC 3986 §5.2)', () => {
    expect(next('<?page=2>; rel=next')).toBe('https://api.test/v1/items?page=2')
    expect(next('<items?page=2>; rel=next')).toBe('https://api.test/v1/items?page=2')
    expect(next('</v2/items?page=2>; rel=next')).toBe('https://api.test/v2/items?page=2')
    expect(next('<//cdn.test/p2>; rel=next')).toBe('https://cdn.test/p2')
  })

  it('finds next in a header of 10,000 characters (a long cursor)', () => {
    // parse-link-header returns nothing past 2000 characters; a cursor can be that long.
    const cursor = 'c'.repeat(10_000)
    expect(next(`<https://e.test/?cursor=${cursor}>; rel="next"`)).toBe(`https://e.test/?cursor=${cursor}`)
  })

  it("passes over a next link anchored to another resource: it is that resource's next", () => {
    // RFC 8288 §3.2: the anchor parameter sets the link's context
    expect(next('<https://e.test/c3>; rel=next; anchor="https://e.test/chapter2"')).toBeUndefined()
    expect(next('<https://e.test/p2>; rel=next; anchor=""')).toBe('https://e.test/p2')
  })
})
