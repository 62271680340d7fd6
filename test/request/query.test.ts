// serializeQuery (src/request/query.ts), issue 23 item 6: every style against OpenAPI 3.1.1's own style
// examples (https://spec.openapis.org/oas/v3.1.1.html#style-examples: color = ["blue", "black",
// "brown"] and { R: 100, G: 200, B: 150 }), and the cases of openapi-fetch's querySerializer tests
// (openapi-ts/openapi-typescript, packages/openapi-fetch/test/common/params.test.ts, "query":
// primitives, empty arrays, null/undefined, array and object styles, reserved characters and
// UTF-8), ported in our own words. Brackets and pipes are percent-encoded where openapi-fetch
// leaves them literal: RFC 3986 §3.4 does not allow them in a query, and Tomcat refuses them.
import { describe, expect, it } from 'vitest'
import type { Query, QueryFormat } from '../../src/core/types.js'
import { DEFAULT_QUERY_FORMAT, resolveQueryFormat, serializeQuery } from '../../src/request/query.js'

const color = ['blue', 'black', 'brown']
const rgb = { R: 100, G: 200, B: 150 }
const write = (query: Query, format: QueryFormat = {}): string =>
  serializeQuery(query, resolveQueryFormat(DEFAULT_QUERY_FORMAT, format, 'queryFormat'))

describe('serializeQuery: OpenAPI style examples', () => {
  it.each([
    ['form', 'color=blue&color=black&color=brown'],
    ['comma', 'color=blue,black,brown'],
    ['spaceDelimited', 'color=blue%20black%20brown'],
    ['pipeDelimited', 'color=blue%7Cblack%7Cbrown'],
    ['brackets', 'color%5B%5D=blue&color%5B%5D=black&color%5B%5D=brown'],
    ['indices', 'color%5B0%5D=blue&color%5B1%5D=black&color%5B2%5D=brown'],
  ] as const)("writes an array with array: '%s' as %s", (array, want) => {
    expect(write({ color }, { array })).toBe(want)
  })

  it.each([
    ['deepObject', 'color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150'],
    ['form', 'R=100&G=200&B=150'],
    ['comma', 'color=R,100,G,200,B,150'],
  ] as const)("writes an object with object: '%s' as %s", (object, want) => {
    expect(write({ color: rgb }, { object })).toBe(want)
  })

  it('repeats the key for arrays and uses deepObject for objects by default', () => {
    expect(write({ color, rgb })).toBe('color=blue&color=black&color=brown&rgb%5BR%5D=100&rgb%5BG%5D=200&rgb%5BB%5D=150')
  })
})

describe('serializeQuery: values (openapi-fetch querySerializer cases)', () => {
  it('writes strings, numbers and booleans as they read, false and 0 included', () => {
    expect(write({ string: 'string', number: 0, boolean: false })).toBe('string=string&number=0&boolean=false')
  })

  it('sends nothing for an empty array or object, nor for undefined and null', () => {
    expect(write({ array: [], object: {}, missing: undefined, nothing: null })).toBe('')
  })

  it('leaves null and undefined items out of arrays and objects', () => {
    expect(write({ a: [1, null, 2, undefined], o: { x: null, y: 1 } }, { array: 'comma' })).toBe('a=1,2&o%5By%5D=1')
  })

  it('percent-encodes every reserved character, a space as %20 (RFC 3986)', () => {
    expect(write({ s: ";/?:@&=+$,# !'()*" })).toBe('s=%3B%2F%3F%3A%40%26%3D%2B%24%2C%23%20%21%27%28%29%2A')
  })

  it('leaves the unreserved characters as they are', () => {
    expect(write({ s: 'aAzZ09-_.~' })).toBe('s=aAzZ09-_.~')
  })

  it('encodes UTF-8, and a lone surrogate as U+FFFD instead of throwing', () => {
    expect(write({ s: 'bad/character🐶', lone: '\uD800' })).toBe('s=bad%2Fcharacter%F0%9F%90%B6&lone=%EF%BF%BD')
  })

  it("with space: '+' writes exactly what URLSearchParams writes", () => {
    const value = "a b!'()*~-._/?&=😀\uD800"
    expect(write({ [value]: value }, { space: '+' })).toBe(new URLSearchParams([[value, value]]).toString())
  })

  it("encodes a comma inside a value, so a server can split array: 'comma' on the literal ones", () => {
    expect(write({ tags: ['a,b', 'c'] }, { array: 'comma' })).toBe('tags=a%2Cb,c')
  })

  it('writes Dates as ISO 8601 and bigints in full', () => {
    expect(write({ since: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), id: 2n ** 64n })).toBe(
      'since=2026-01-02T03%3A04%3A05.000Z&id=18446744073709551616',
    )
  })

  it('re-encodes a URLSearchParams with the chosen encoding', () => {
    expect(write(new URLSearchParams('q=a+b&q=c'))).toBe('q=a%20b&q=c')
  })
})

describe('serializeQuery: vendor shapes', () => {
  it("writes Stripe's expand[] and metadata[key] with array: 'brackets'", () => {
    expect(write({ expand: ['customer', 'invoice'], metadata: { order: 7 } }, { array: 'brackets' })).toBe(
      'expand%5B%5D=customer&expand%5B%5D=invoice&metadata%5Border%5D=7',
    )
  })

  it("writes Stripe's arrays of objects with array: 'indices', numbered by the items sent", () => {
    expect(write({ items: [{ price: 'p1', quantity: 2 }, null, { price: 'p2' }] }, { array: 'indices' })).toBe(
      'items%5B0%5D%5Bprice%5D=p1&items%5B0%5D%5Bquantity%5D=2&items%5B1%5D%5Bprice%5D=p2',
    )
  })

  it("writes JSON:API's filter[name], fields[type]=a,b and include=a,b with array: 'comma'", () => {
    const query = { filter: { name: 'ada' }, fields: { articles: ['title', 'body'] }, include: ['author'] }
    expect(write(query, { array: 'comma' })).toBe('filter%5Bname%5D=ada&fields%5Barticles%5D=title,body&include=author')
  })

  it('nests deepObject to any depth as a[b][c]=', () => {
    expect(write({ a: { b: { c: 1 } } })).toBe('a%5Bb%5D%5Bc%5D=1')
  })
})

describe('serializeQuery: refusals', () => {
  it('refuses a value that is not a scalar, array or plain object, naming where it is', () => {
    expect(() => write({ filter: { at: new Map() } } as never)).toThrow(
      'query.filter.at must be a string, number, boolean, bigint, Date, array or plain object, got a Map',
    )
  })

  it("refuses objects inside an array unless array: 'indices', saying so", () => {
    expect(() => write({ items: [{ a: 1 }] }, { array: 'brackets' })).toThrow(
      "query.items[0] is an object: with queryFormat.array 'brackets' an array can hold only strings, numbers, booleans, bigints and Dates; use array: 'indices' for items[0][key]=…",
    )
  })

  it("refuses a nested value in object: 'comma'", () => {
    expect(() => write({ o: { a: [1] } }, { object: 'comma' })).toThrow(/query\.o\.a is an array: with queryFormat\.object 'comma'/)
  })

  it('refuses a cycle instead of overflowing the stack', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(() => write({ loop } as Query)).toThrow(/nests deeper than 20 levels: is there a cycle\?/)
  })

  it('refuses an invalid Date', () => {
    expect(() => write({ at: new Date(Number.NaN) })).toThrow('query.at is an invalid Date')
  })

  it('refuses NaN and the infinities instead of sending page=NaN', () => {
    expect(() => write({ page: Number.NaN })).toThrow(/query\.page is NaN: check the number it came from/)
    expect(() => write({ ids: [1, Number.POSITIVE_INFINITY] })).toThrow(/query\.ids\[1\] is Infinity/)
  })

  it('refuses an unknown choice, listing the valid ones', () => {
    expect(() => write({}, { array: 'brakets' } as never)).toThrow(
      "queryFormat.array must be one of 'form', 'comma', 'spaceDelimited', 'pipeDelimited', 'brackets', 'indices', got \"brakets\"",
    )
    expect(() => write({}, { spaces: '+' } as never)).toThrow('queryFormat: unknown option "spaces"; did you mean "space"?')
  })
})
