// The one median every benchmark script reports.

/** The median of `xs` (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs) {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
