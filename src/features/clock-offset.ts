// A signed API's clock as seen from here, for the timestamps of the next signatures (issue 27
// item 1: clock skew with no correction, aws4fetch#73, aws-sdk-js-v3#2208). Used by the WeChat Pay
// and Alipay clients; answers are always judged on this host's own clock, never on the offset.

/** What {@link createClockOffset} returns. */
export type ClockOffset = {
  /** The vendor's time now, in milliseconds since the epoch: for the next signature. */
  now(): number
  /**
   * The vendor's time (ms) taken from a verified answer's signed timestamp — nobody on the path
   * can move it: the offset follows it when 5 s or more away, and goes back to 0 when closer.
   */
  signed(vendorTime: number): void
  /**
   * The `Date` header of a 401 (the vendor refused a timestamp too far from its clock): the
   * offset follows it when a minute or more away. At worst a forged `Date` breaks signing, which
   * whoever forges it could do by dropping traffic.
   */
  refused(date: string | null | undefined): void
}

/**
 * A clock offset learned from a vendor's answers.
 *
 * @example
 * const clock = createClockOffset()
 * sign({ timestamp: clock.now() })
 * if (verified) clock.signed(Number(response.headers.get('alipay-timestamp')))
 * else if (response.status === 401) clock.refused(response.headers.get('date'))
 */
export function createClockOffset(now: () => number = Date.now): ClockOffset {
  let offset = 0
  return {
    now: () => now() + offset,
    signed(vendorTime) {
      const skew = vendorTime - now()
      if (vendorTime > 0 && Number.isFinite(skew)) offset = Math.abs(skew) >= 5_000 ? skew : 0
    },
    refused(date) {
      const skew = Date.parse(date ?? '') - now()
      if (Number.isFinite(skew) && Math.abs(skew) >= 60_000) offset = skew
    },
  }
}
