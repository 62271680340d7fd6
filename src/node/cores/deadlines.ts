/**
 * One pending deadline: a node of {@link Deadlines}' list, subclassed by what it bounds (an
 * undici core attempt, a fetch core exchange), which says what happens when it passes.
 */
export abstract class Timed {
  /** When it passes, on the `performance.now()` clock. */
  at = 0
  prev: Timed | undefined
  next: Timed | undefined
  /** In a list (added, not yet passed nor removed). */
  pending = false
  /** The deadline passed. */
  abstract expire(): void
}

/** The clock of deadlines: monotonic, unlike `Date.now()`. */
export const now = (): number => performance.now()

/**
 * The attempt deadlines of one core, on one Node timer armed for the earliest. A Node timer per
 * attempt was a fifth of what `recommended()` adds to a request on the undici core (~0.5 µs on
 * Node 26, measured: a Timeout and a closure, an async resource, and — whenever the last timer
 * of a length is cleared, as with one request at a time — a timer list made and dropped each
 * time). Here a deadline is a list node: added at the tail (deadlines of one length come in
 * order), removed in O(1). The timer is unref'd while nothing is pending, so, as before, only a
 * pending deadline keeps the process alive. A deadline never passes early: the timer fires no
 * sooner than the earliest one, and entries are due once either the clock or the deadline the
 * timer was armed for (a faked `setTimeout` over a real clock) has reached them.
 */
export class Deadlines {
  head: Timed | undefined
  tail: Timed | undefined
  timer: NodeJS.Timeout | undefined
  /** The deadline the timer is armed for. */
  armedFor = Number.POSITIVE_INFINITY

  /** `entry` passes at `at`, on the `performance.now()` clock. */
  add(entry: Timed, at: number): void {
    entry.at = at
    entry.pending = true
    let before = this.tail
    while (before !== undefined && before.at > at) before = before.prev
    entry.prev = before
    entry.next = before === undefined ? this.head : before.next
    if (entry.next) entry.next.prev = entry
    else this.tail = entry
    if (before) before.next = entry
    else this.head = entry
    if (at < this.armedFor) this.arm(at, now())
    else if (entry === this.head) this.timer?.ref()
  }

  remove(entry: Timed): void {
    if (!entry.pending) return
    entry.pending = false
    if (entry.prev) entry.prev.next = entry.next
    else this.head = entry.next
    if (entry.next) entry.next.prev = entry.prev
    else this.tail = entry.prev
    entry.prev = entry.next = undefined
    // Nothing pending: the armed timer stays (no timer list made and dropped per request) but
    // no longer holds the process open.
    if (this.head === undefined) this.timer?.unref()
  }

  /** Arms the timer for `at`, counting from `from`. */
  arm(at: number, from: number): void {
    clearTimeout(this.timer)
    this.armedFor = at
    // Rounded up, so that a deadline never passes before its time; less a nanosecond, so that the
    // float error of `at - from` (both ~1e6 ms into a process) does not make it a whole ms late.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(at - from - 1e-6)))
  }

  readonly fire = (): void => {
    const due = Math.max(this.armedFor, now())
    this.timer = undefined
    this.armedFor = Number.POSITIVE_INFINITY
    try {
      for (let entry = this.head; entry !== undefined && entry.at <= due; entry = this.head) {
        this.remove(entry)
        entry.expire()
      }
    } finally {
      if (this.head) this.arm(this.head.at, due)
    }
  }
}
