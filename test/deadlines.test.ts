import { afterEach, describe, expect, it, vi } from 'vitest'
import { Deadlines, now, Timed } from '../src/node/cores/deadlines.js'

class Entry extends Timed {
  constructor(
    readonly name: string,
    readonly log: string[],
  ) {
    super()
  }
  expire(): void {
    this.log.push(this.name)
  }
}

describe('Deadlines (the cores’ attempt deadlines on one timer)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('expires entries in deadline order, none before its time', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    const log: string[] = []
    const start = now()
    deadlines.add(new Entry('a', log), start + 100)
    deadlines.add(new Entry('b', log), start + 50)
    deadlines.add(new Entry('c', log), start + 100)
    vi.advanceTimersByTime(49)
    expect(log).toEqual([])
    vi.advanceTimersByTime(1)
    expect(log).toEqual(['b'])
    vi.advanceTimersByTime(49)
    expect(log).toEqual(['b'])
    vi.advanceTimersByTime(1)
    expect(log).toEqual(['b', 'a', 'c'])
  })

  it('never expires a removed entry, and holds the process only while one is pending', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    const log: string[] = []
    const a = new Entry('a', log)
    deadlines.add(a, now() + 100)
    expect(deadlines.timer?.hasRef()).toBe(true)
    deadlines.remove(a)
    deadlines.remove(a)
    expect(deadlines.timer?.hasRef()).toBe(false)
    const b = new Entry('b', log)
    deadlines.add(b, now() + 200)
    expect(deadlines.timer?.hasRef()).toBe(true)
    vi.advanceTimersByTime(200)
    expect(log).toEqual(['b'])
    expect(deadlines.head).toBeUndefined()
  })

  // A test that fakes setTimeout alone (the clock stays real) still sees a deadline pass when it
  // advances the fake time by the limit, as with one Node timer per request.
  it('expires on time under a faked setTimeout over the real clock', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const deadlines = new Deadlines()
    const log: string[] = []
    const start = now()
    deadlines.add(new Entry('a', log), start + 5_000)
    deadlines.add(new Entry('b', log), start + 8_000)
    vi.advanceTimersByTime(4_999)
    expect(log).toEqual([])
    vi.advanceTimersByTime(1)
    expect(log).toEqual(['a'])
    vi.advanceTimersByTime(3_000)
    expect(log).toEqual(['a', 'b'])
  })
})
