// The shared option rules: undefined means the default, typos fail with a suggestion.
import { describe, expect, it } from 'vitest'
import { checkKeys, suggest, withDefaults } from '../src/options.js'

describe('withDefaults', () => {
  it('keeps the default for an option set to undefined', () => {
    expect(withDefaults({ a: 1, b: 2 }, { a: undefined, b: 3 })).toEqual({ a: 1, b: 3 })
  })
  it('takes null, 0 and false as values, not as "unset"', () => {
    expect(withDefaults({ a: 1, b: true, c: 'x' as string | null }, { a: 0, b: false, c: null })).toEqual({ a: 0, b: false, c: null })
  })
})

describe('checkKeys', () => {
  it.each([
    ['pool', 'conections', ['connections', 'keepAliveTimeout'], 'connections'],
    ['recommended', 'retries', ['retry', 'timeout', 'log'], 'retry'],
    ['retry', 'maxRetry', ['maxRetries', 'delay'], 'maxRetries'],
    ['request options', 'qurey', ['query', 'params', 'json'], 'query'],
    ['createClient', 'baseUrl', ['baseURL', 'headers'], 'baseURL'],
  ])('%s: "%s" fails, suggesting the known name', (what, key, known, near) => {
    expect(() => checkKeys(what, { [key]: 1 }, known)).toThrow(`${what}: unknown option "${key}"; did you mean "${near}"?`)
  })
  it('lists the known names when nothing is close', () => {
    expect(() => checkKeys('retry', { colour: 'red' }, ['maxRetries', 'delay'])).toThrow('known: maxRetries, delay')
  })
  it('accepts undefined and known keys; refuses a non-object', () => {
    expect(() => checkKeys('retry', undefined, ['delay'])).not.toThrow()
    expect(() => checkKeys('retry', { delay: 1 }, ['delay'])).not.toThrow()
    expect(() => checkKeys('retry', '3', ['delay'])).toThrow('retry options must be an object such as { delay: … }, got "3"')
  })
  it('suggests nothing for a word that only shares a few letters', () => {
    expect(suggest('ab', ['abcdef'])).toBeUndefined()
  })
})
