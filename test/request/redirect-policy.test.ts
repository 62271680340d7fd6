// The redirect policy both cores follow, on its own (src/request/redirect-policy.ts). Cases ported from
// ky's test/http-redirects.ts (the method and body table of fetch §4.5 steps 12 and 14, 303
// keeping GET and HEAD, relative Locations, a 3xx without Location), got's test/redirects.ts
// (a UTF-8 Location sent as raw bytes, invalid Locations, credentials cleared for another host)
// and undici's test/redirect-cross-origin-header.js (cookie, authorization, proxy-authorization
// cleared across origins). Both cores against real nginx: test/redirects.nginx.test.ts.
import { describe, expect, it } from 'vitest'
import type { ClientRequest } from '../../src/core/types.js'
import { isMaxRedirectsError, type RedactionRules } from '../../src/index.js'
import { checkMaxRedirects, type Hop, isRedirect, MAX_REDIRECTS, nextHop } from '../../src/request/redirect-policy.js'

const START = new URL('https://api.example.com/v1/start?page=2')

function hop(method = 'GET', headers: HeadersInit = {}, body?: unknown): Hop {
  return { url: START, method, headers: new Headers(headers), body }
}

function requestOf(from: Hop, redaction?: RedactionRules): ClientRequest {
  return { method: from.method, url: from.url, redaction } as ClientRequest
}

function next(from: Hop, status: number, location: string | string[] | null, rules?: RedactionRules, followed = 0, max = MAX_REDIRECTS) {
  return nextHop(requestOf(from, rules), from, status, location, followed, max)
}

describe('which answers redirect', () => {
  it('follows 301, 302, 303, 307 and 308, and nothing else', () => {
    expect([300, 301, 302, 303, 304, 305, 307, 308, 200, 404].filter(isRedirect)).toEqual([301, 302, 303, 307, 308])
  })

  it('hands back a redirect without a Location (fetch: no location URL, the answer is the response)', () => {
    expect(next(hop(), 302, null)).toBeUndefined()
    expect(next(hop(), 302, '')).toBeUndefined()
  })

  it('hands back every 3xx when maxRedirects is 0', () => {
    expect(next(hop(), 302, '/elsewhere', undefined, 0, 0)).toBeUndefined()
  })
})

describe('where the next hop goes', () => {
  it('resolves a relative Location against the URL that redirected', () => {
    expect(next(hop(), 302, '../destination?from=redirect')?.url.href).toBe('https://api.example.com/destination?from=redirect')
    expect(next(hop(), 302, 'here')?.url.href).toBe('https://api.example.com/v1/here')
  })

  it('decodes a Location sent as raw UTF-8 bytes, as browsers and undici do', () => {
    const raw = String.fromCharCode(...new TextEncoder().encode('/utf8-url-áé'))
    expect(next(hop(), 302, raw)?.url.pathname).toBe('/utf8-url-%C3%A1%C3%A9')
  })

  it('rejects a Location that is no URL, or not http(s)', () => {
    expect(() => next(hop(), 302, 'http://')).toThrow(/302 with a Location that is not a valid URL/)
    expect(() => next(hop(), 302, 'javascript:alert(1)')).toThrow(/not an http\(s\) URL \(javascript:\)/)
  })

  it('rejects two different Location headers; repeats of one are that one', () => {
    expect(() => next(hop(), 302, ['/a', '/b'])).toThrow(/two different Location headers/)
    expect(next(hop(), 302, ['/a', '/a'])?.url.pathname).toBe('/a')
  })

  it('sends neither userinfo nor fragment that a Location carries', () => {
    const url = next(hop(), 302, 'https://user:pass@api.example.com/x#part')?.url
    expect(url?.href).toBe('https://api.example.com/x')
  })
})

describe('method and body (fetch §4.5 step 12, RFC 9110 §15.4)', () => {
  const bodyHeaders = {
    'content-type': 'text/plain',
    'content-encoding': 'identity',
    'content-language': 'en',
    'content-location': '/representation',
    'content-length': '16',
  }
  for (const [status, method, after] of [
    [301, 'POST', 'GET'],
    [302, 'POST', 'GET'],
    [303, 'POST', 'GET'],
    [303, 'PUT', 'GET'],
    [301, 'PUT', 'PUT'],
    [302, 'PATCH', 'PATCH'],
    [307, 'POST', 'POST'],
    [308, 'PUT', 'PUT'],
  ] as const) {
    it(`${status} sends ${method} on as ${after}, with the body and its headers only when it stays ${method}`, () => {
      const moved = next(hop(method, { ...bodyHeaders, 'x-preserved': 'yes' }, 'redirect payload'), status, '/destination')
      expect(moved?.method).toBe(after)
      expect(moved?.body).toBe(after === 'GET' ? undefined : 'redirect payload')
      expect(moved?.headers.get('x-preserved')).toBe('yes')
      for (const name of Object.keys(bodyHeaders)) expect(moved?.headers.has(name), name).toBe(after !== 'GET')
    })
  }

  it('keeps GET and HEAD on a 303', () => {
    expect(next(hop('GET'), 303, '/x')?.method).toBe('GET')
    expect(next(hop('HEAD'), 303, '/x')?.method).toBe('HEAD')
  })

  it('hands back a 307 or 308 whose body is a stream: it cannot be sent twice', () => {
    const stream = new ReadableStream()
    expect(next(hop('POST', {}, stream), 307, '/x')).toBeUndefined()
    expect(next(hop('POST', {}, stream), 303, '/x')?.method).toBe('GET')
  })
})

describe('headers across origins', () => {
  const secrets = {
    authorization: 'Bearer a',
    'proxy-authorization': 'Basic b',
    cookie: 'sid=c',
    'x-api-key': 'd',
    'api-key': 'e',
    'x-vendor-token': 'f',
    'x-tenant-id': 'g',
    host: 'api.example.com',
    'x-trace': 'keep',
    accept: 'application/json',
  }
  const declared: RedactionRules = { headers: ['x-tenant-id'] }

  it('drops every header the redaction rules hide, and Host, on a change of host', () => {
    const moved = next(hop('GET', secrets), 302, 'https://other.example.net/landed', declared)
    expect(Object.fromEntries(moved?.headers ?? [])).toEqual({ accept: 'application/json', 'x-trace': 'keep' })
  })

  it('drops them on a change of port, and on https → http to the same host', () => {
    for (const location of ['https://api.example.com:8443/x', 'http://api.example.com/x']) {
      expect([...(next(hop('GET', secrets), 302, location, declared)?.headers.keys() ?? [])]).toEqual(['accept', 'x-trace'])
    }
  })

  it('keeps every header on the same origin', () => {
    const moved = next(hop('GET', secrets), 307, '/v2/there', declared)
    expect(Object.fromEntries(moved?.headers ?? [])).toEqual(secrets)
  })

  it('in allow mode, lets only the allowed names (never a built-in secret) cross', () => {
    const allow: RedactionRules = { mode: 'allow', headers: ['x-trace', 'accept', 'x-api-key'] }
    expect([...(next(hop('GET', secrets), 302, 'https://other.example.net/', allow)?.headers.keys() ?? [])]).toEqual(['accept', 'x-trace'])
  })
})

describe('the limit', () => {
  it('rejects the redirect past maxRedirects with MaxRedirectsError naming the limit and the redacted Location', () => {
    const error = (() => {
      try {
        return next(hop(), 302, 'https://api.example.com/loop?access_token=Zq-SECRET&page=3', undefined, 5, 5)
      } catch (e) {
        return e
      }
    })() as Record<string, unknown>
    expect(isMaxRedirectsError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'FL_ERR_MAX_REDIRECTS', limit: 5, status: 302 })
    expect(error.location).toBe('https://api.example.com/loop?access_token=***REDACTED***&page=3')
    expect(String(error.message)).toMatch(/redirected 5 times, the limit \(maxRedirects\)/)
  })

  it('follows the last redirect within the limit', () => {
    expect(next(hop(), 302, '/x', undefined, 4, 5)?.url.pathname).toBe('/x')
  })

  it('checks maxRedirects: a whole number >= 0, 20 when not given', () => {
    expect([checkMaxRedirects(undefined), checkMaxRedirects(0), checkMaxRedirects(3)]).toEqual([20, 0, 3])
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '5', null]) {
      expect(() => checkMaxRedirects(bad)).toThrow(/maxRedirects must be a whole number >= 0/)
    }
  })
})
