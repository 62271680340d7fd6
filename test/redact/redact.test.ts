import { describe, expect, it } from 'vitest'
import { isSecretHeader, isSecretQueryParam, REDACTED, redactHeaders, redactURL } from '../../src/index.js'
import { mergeRules, redactBody, scrubText } from '../../src/redact/redact.js'
import { withSecretParams } from '../../src/request/params.js'

describe('redactURL', () => {
  it('hides secret query values and keeps names and other values', () => {
    const shown = redactURL('https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CRET')
    expect(shown).toBe(`https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=${REDACTED}`)
  })

  it('covers the default list, case-insensitively, and names containing token/secret', () => {
    for (const name of [
      'access_token',
      'Refresh_Token',
      'api_key',
      'KEY',
      'password',
      'sig',
      'Signature',
      'code',
      'client_secret',
      'X-Amz-Signature',
      'my_token_v2',
    ]) {
      expect(isSecretQueryParam(name), name).toBe(true)
    }
    for (const name of ['page', 'appid', 'monkey', 'grant_type']) expect(isSecretQueryParam(name), name).toBe(false)
  })

  it('strips userinfo and fragments', () => {
    expect(redactURL('https://user:pass@host.test/p#access_token=abc')).toBe('https://host.test/p')
  })

  it('judges percent-encoded names by their decoded form', () => {
    expect(redactURL('https://h.test/?access%5Ftoken=abc')).toBe(`https://h.test/?access%5Ftoken=${REDACTED}`)
  })

  it('applies extra rules and allow-list mode', () => {
    expect(redactURL('https://h.test/?tenant=t1&x=1', { query: ['tenant'] })).toBe(`https://h.test/?tenant=${REDACTED}&x=1`)
    expect(redactURL('https://h.test/?page=2&q=secret-ish', { mode: 'allow', query: ['page'] })).toBe(
      `https://h.test/?page=2&q=${REDACTED}`,
    )
  })
})

describe('redactHeaders', () => {
  it('hides the default secret headers and any name with token/secret/key/auth in it', () => {
    const headers = new Headers({
      authorization: 'Bearer a',
      cookie: 'sid=1',
      'x-api-key': 'k',
      'x-auth-token': 't',
      'x-client-secret': 's',
      accept: 'application/json',
      'content-type': 'text/plain',
    })
    expect(redactHeaders(headers)).toEqual({
      accept: 'application/json',
      authorization: REDACTED,
      'content-type': 'text/plain',
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'x-auth-token': REDACTED,
      'x-client-secret': REDACTED,
    })
    expect(isSecretHeader('Set-Cookie')).toBe(true)
    expect(isSecretHeader('Proxy-Authorization')).toBe(true)
    expect(isSecretHeader('keep-alive')).toBe(false)
  })
})

describe('rules that behave the same every time', () => {
  it('a RegExp rule with the g or y flag hides the value on every call, not every other one', () => {
    const query = [/^tenant$/g]
    const headers = [/^x-partner/y]
    for (let i = 0; i < 4; i++) {
      expect(redactURL('https://h.test/?tenant=acme', { query }), `call ${i}`).toBe(`https://h.test/?tenant=${REDACTED}`)
      expect(isSecretHeader('x-partner-sig', { headers }), `call ${i}`).toBe(true)
    }
  })
})

describe('deny rules next to an allow list (mergeRules)', () => {
  it('a deny rule wins wherever it sits, and the built-in secret names stay hidden in allow mode', () => {
    const rules = mergeRules([
      { headers: ['X-Partner-Sig'], query: ['partner_sig'] },
      { mode: 'allow', headers: ['x-request-id', 'authorization'], query: ['page', 'access_token'] },
    ])
    expect(isSecretHeader('x-partner-sig', rules)).toBe(true)
    expect(isSecretHeader('authorization', rules)).toBe(true) // allow-listed, still a built-in secret
    expect(isSecretHeader('x-request-id', rules)).toBe(false)
    expect(isSecretHeader('x-other', rules)).toBe(true) // not allow-listed
    expect(redactURL('https://h.test/?page=2&partner_sig=s&access_token=t&q=w', rules)).toBe(
      `https://h.test/?page=2&partner_sig=${REDACTED}&access_token=${REDACTED}&q=${REDACTED}`,
    )
  })
})

describe('secrets in the path', () => {
  it('hides a RegExp rule’s capture groups, or its whole match when it has none', () => {
    const telegram = { path: [/\/bot([^/]+)/] }
    expect(redactURL('https://api.telegram.org/bot123456:AAE-secret/sendMessage?chat_id=7', telegram)).toBe(
      `https://api.telegram.org/bot${REDACTED}/sendMessage?chat_id=7`,
    )
    expect(redactURL('https://h.test/keys/sk_live_abc/x', { path: [/sk_live_\w+/g] })).toBe(`https://h.test/keys/${REDACTED}/x`)
  })

  it('hides a string rule (a known secret value) in its raw and percent-encoded forms, also in free text', () => {
    const rules = { path: ['123:abc'] }
    expect(redactURL('https://h.test/bot123:abc/a', rules)).toBe(`https://h.test/bot${REDACTED}/a`)
    expect(redactURL('https://h.test/bot123%3Aabc/a', rules)).toBe(`https://h.test/bot${REDACTED}/a`)
    expect(scrubText('token 123:abc was refused', rules)).toBe(`token ${REDACTED} was refused`)
  })

  it('params whose names are secret by the query rules have their values hidden; others are kept', () => {
    expect(withSecretParams(undefined, { token: '123:abc', chat: 7 })).toEqual({ path: ['123:abc', '123%3Aabc'] })
    // As written and as sent (a list's items each encoded, the commas literal), so both are found.
    expect(withSecretParams(undefined, { token: ['a b', 'c'] })).toEqual({ path: ['a b,c', 'a%20b,c'] })
    expect(withSecretParams({ query: ['bot'] }, { bot: 'b1' })).toEqual({ query: ['bot'], path: ['b1'] })
    const rules = { query: ['tenant'] }
    expect(withSecretParams(rules, { id: 1 })).toBe(rules) // nothing made for a request with no secret param
  })
})

// OpenTelemetry: instrumentation-http test/functionals/utils.test.ts, "getAbsoluteUrl()" and
// "redactQueryString()" — the same behaviours, in our words.
describe('URL redaction cases from OpenTelemetry', () => {
  it('hides the semantic conventions’ minimum list: AWSAccessKeyId, Signature, sig, X-Goog-Signature', () => {
    expect(redactURL('http://localhost:8080/r?AWSAccessKeyId=k&Signature=s&X-Goog-Signature=g&sig=x&keep=1')).toBe(
      `http://localhost:8080/r?AWSAccessKeyId=${REDACTED}&Signature=${REDACTED}&X-Goog-Signature=${REDACTED}&sig=${REDACTED}&keep=1`,
    )
  })

  it('never shows credentials in the URL, with or without a secret query', () => {
    expect(redactURL('http://user:password@localhost:8080/helloworld')).toBe('http://localhost:8080/helloworld')
    expect(redactURL('http://user:pass@localhost:8080/registers?X-Goog-Signature=secret123')).toBe(
      `http://localhost:8080/registers?X-Goog-Signature=${REDACTED}`,
    )
  })

  it('hides every occurrence of a repeated parameter and a parameter with an empty value', () => {
    expect(redactURL('https://h.test/?sig=S1&sig=S2&foo=bar')).toBe(`https://h.test/?sig=${REDACTED}&sig=${REDACTED}&foo=bar`)
    expect(redactURL('https://h.test/?sig=&foo=bar')).toBe(`https://h.test/?sig=${REDACTED}&foo=bar`)
  })

  it('leaves a URL with no secret unchanged, and adds a custom name to the list', () => {
    expect(redactURL('https://h.test/p?foo=bar&baz=qux')).toBe('https://h.test/p?foo=bar&baz=qux')
    expect(redactURL('https://h.test/?custom=sensitive&foo=bar', { query: ['custom'] })).toBe(`https://h.test/?custom=${REDACTED}&foo=bar`)
  })
})

// Azure SDK: @azure/core-rest-pipeline test/sanitizer.spec.ts ("Redacts query parameters in url
// properties", "Ignores url of empty string", "Handles recursive data structures").
describe('sanitizer cases from the Azure SDK', () => {
  it('hides secret query values in a url property of a logged object, and leaves an empty url alone', () => {
    expect(redactBody({ url: 'http://example.com/foo?api-version=123&secret=42' })).toEqual({
      url: `http://example.com/foo?api-version=123&secret=${REDACTED}`,
    })
    expect(redactBody({ url: '' })).toEqual({ url: '' })
  })

  it('renders a recursive structure without throwing or leaking', () => {
    const recursive: Record<string, unknown> = { a: 42, password: 'p4ss' }
    recursive.b = recursive
    const shown = JSON.stringify(redactBody(recursive))
    expect(shown).toContain('"a":42')
    expect(shown).not.toContain('p4ss')
  })
})
