// What the compile-cost bench reads from `tsc --extendedDiagnostics` and what it decides: the
// figures of one run, their medians over runs, the increments over the document alone, and the
// verdict against the limit (fetchline within 1.5× of openapi-fetch).

import { median } from '../stats.mjs'

/** The figures the bench keeps, by the label tsc prints them under. */
export const FIELDS = {
  checkTime: 'Check time',
  instantiations: 'Instantiations',
  types: 'Types',
  memory: 'Memory used',
  totalTime: 'Total time',
}

/**
 * The figures of one `tsc --extendedDiagnostics` output: times in seconds, memory in MB
 * (tsc prints kilobytes), counts as they are. Throws when one is missing.
 */
export function parseDiagnostics(text) {
  const out = {}
  for (const [key, label] of Object.entries(FIELDS)) {
    const m = text.match(new RegExp(`^${label}:\\s+([\\d.]+)([sK]?)\\s*$`, 'm'))
    if (!m) throw new Error(`tsc --extendedDiagnostics printed no "${label}:" line`)
    const value = Number(m[1])
    out[key] = m[2] === 'K' ? value / 1024 : value
  }
  return out
}

/** The median of each figure over runs. */
export function medians(runs) {
  const out = {}
  for (const key of Object.keys(FIELDS)) out[key] = median(runs.map((r) => r[key]))
  return out
}

/** `a − b`, figure by figure. */
export function minus(a, b) {
  const out = {}
  for (const key of Object.keys(FIELDS)) out[key] = a[key] - b[key]
  return out
}

/** The figures the limit applies to, and the limit: fetchline's increment ÷ openapi-fetch's. */
export const LIMITED = ['instantiations', 'checkTime']
export const LIMIT = 1.5

/**
 * fetchline's increment over the baseline divided by openapi-fetch's, figure by figure, and
 * whether it is within the limit (on instantiations and check time).
 */
export function verdict(fetchline, openapiFetch) {
  const ratios = {}
  for (const key of Object.keys(FIELDS)) ratios[key] = fetchline[key] / openapiFetch[key]
  const over = LIMITED.filter((key) => !(ratios[key] <= LIMIT))
  return { ratios, over, ok: over.length === 0 }
}
