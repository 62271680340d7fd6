import { describe, expect, it } from 'vitest'
import { isSecretHeader, isSecretQueryParam, REDACTED, redactHeaders, redactURL } from '../src/index.js'

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
