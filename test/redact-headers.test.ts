// redactHeaders with [name, value] pairs (issue 23 item 9): its doc comment promises names in
// lower case, as a Headers object gives them; pairs kept the caller's case, so `Authorization`
// and `authorization` were two keys, and a name given twice kept only its last value.
import { describe, expect, it } from 'vitest'
import { REDACTED, redactHeaders } from '../src/index.js'

describe('redactHeaders with [name, value] pairs', () => {
  it('gives every name in lower case, as for a Headers object', () => {
    expect(
      redactHeaders([
        ['X-Request-ID', 'r1'],
        ['Content-Type', 'application/json'],
      ]),
    ).toEqual({
      'x-request-id': 'r1',
      'content-type': 'application/json',
    })
  })

  it('hides a secret header whatever the case of its name', () => {
    expect(
      redactHeaders([
        ['AUTHORIZATION', 'Bearer abc'],
        ['X-Api-Key', 'k'],
      ]),
    ).toEqual({ authorization: REDACTED, 'x-api-key': REDACTED })
  })

  it('joins a name given twice with ", ", as Headers joins it, and never shows a secret one', () => {
    const shown = redactHeaders([
      ['Accept', 'a'],
      ['accept', 'b'],
      ['Cookie', 'c=1'],
      ['cookie', 'd=2'],
    ])
    expect(shown).toEqual({ accept: 'a, b', cookie: REDACTED })
  })
})
