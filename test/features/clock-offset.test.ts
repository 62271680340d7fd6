// createClockOffset (src/features/clock-offset.ts), shared by the WeChat Pay and Alipay clients.
import { describe, expect, it } from 'vitest'
import { createClockOffset } from '../../src/features/clock-offset.js'

const host = 1_765_000_000_000

describe('createClockOffset', () => {
  it("follows a signed timestamp 5 s or more away, and goes back to the host's clock when closer", () => {
    const clock = createClockOffset(() => host)
    clock.signed(host + 4_999)
    expect(clock.now()).toBe(host)
    clock.signed(host + 200_000)
    expect(clock.now()).toBe(host + 200_000)
    clock.signed(host - 7_000)
    expect(clock.now()).toBe(host - 7_000)
    clock.signed(host + 1_000)
    expect(clock.now()).toBe(host)
  })

  it('ignores a missing or unreadable signed timestamp', () => {
    const clock = createClockOffset(() => host)
    clock.signed(host + 200_000)
    for (const bad of [Number(null), Number(''), Number('x'), Number.POSITIVE_INFINITY]) clock.signed(bad)
    expect(clock.now()).toBe(host + 200_000)
  })

  it("follows a 401's Date only when a minute or more away", () => {
    const clock = createClockOffset(() => host)
    clock.refused(new Date(host + 59_000).toUTCString())
    expect(clock.now()).toBe(host)
    for (const bad of [null, undefined, '', 'not a date']) clock.refused(bad)
    expect(clock.now()).toBe(host)
    clock.refused(new Date(host - 250_000).toUTCString())
    expect(clock.now()).toBe(host - 250_000)
  })
})
