// Grades the workers' raw results with the suite's own rules, counts them per target, compares
// fetchline's targets with undici's, and writes results.json. Used by run.ts.
import { writeFileSync } from 'node:fs'
import { NOT_APPLICABLE, RUN_DESPITE_BROWSER_SKIP } from './not-applicable.js'
import { byId, grader, PASSING, type RawResult, type SuiteSection, type SuiteTest, type Verdict } from './suite.js'
import type { Target } from './targets.js'

/** A graded test on one target: the verdict, and the runner's message when it did not pass. */
export type Graded = { verdict: Verdict; message?: string }
export type Tally = { passed: number; failed: number; notApplicable: number; byVerdict: Partial<Record<Verdict, number>> }
/** A test fetchline fails (or answers "no") that undici passes. */
export type Regression = { target: Target; id: string; test: SuiteTest; graded: Graded; undici: Graded }

/**
 * Checks NOT_APPLICABLE against the suite: every id exists, and every test the runner skips by
 * its markers (cdn_only, browser_skip unless run anyway) is listed, so a newer vendored suite
 * cannot add a skipped test silently. Returns the problems.
 */
export function checkList(sections: readonly SuiteSection[]): string[] {
  const tests = byId(sections)
  const problems = Object.keys(NOT_APPLICABLE)
    .filter((id) => !tests.has(id))
    .map((id) => `not-applicable.ts lists ${id}, which the suite does not have`)
  for (const [id, test] of tests) {
    const skipped = test.cdn_only === true || (test.browser_skip === true && !RUN_DESPITE_BROWSER_SKIP.has(id))
    if (skipped && !(id in NOT_APPLICABLE)) problems.push(`${id} is skipped by the suite's markers but not in not-applicable.ts`)
    if (RUN_DESPITE_BROWSER_SKIP.has(id) && id in NOT_APPLICABLE) problems.push(`${id} is both run anyway and not applicable`)
  }
  return problems
}

/** Grades one target's raw results; only the applicable tests of `ids`. */
export async function gradeAll(sections: readonly SuiteSection[], ids: readonly string[], raw: Record<string, RawResult>) {
  const grade = await grader(sections)
  const graded = new Map<string, Graded>()
  for (const id of ids) {
    if (id in NOT_APPLICABLE) continue
    const verdict = grade(id, raw)
    const result = raw[id]
    graded.set(id, Array.isArray(result) && !PASSING.has(verdict) ? { verdict, message: `${result[0]}: ${result[1]}` } : { verdict })
  }
  return graded
}

export function tally(graded: ReadonlyMap<string, Graded>, ids: readonly string[]): Tally {
  const t: Tally = { passed: 0, failed: 0, notApplicable: ids.filter((id) => id in NOT_APPLICABLE).length, byVerdict: {} }
  for (const { verdict } of graded.values()) {
    t.byVerdict[verdict] = (t.byVerdict[verdict] ?? 0) + 1
    if (PASSING.has(verdict)) t.passed++
    else t.failed++
  }
  return t
}

/** The applicable tests undici passes and `target` does not. */
export function regressions(
  sections: readonly SuiteSection[],
  target: Target,
  graded: ReadonlyMap<string, Graded>,
  undici: ReadonlyMap<string, Graded>,
): Regression[] {
  const tests = byId(sections)
  const found: Regression[] = []
  for (const [id, base] of undici) {
    const mine = graded.get(id)
    const test = tests.get(id)
    if (test && mine && PASSING.has(base.verdict) && !PASSING.has(mine.verdict))
      found.push({ target, id, test, graded: mine, undici: base })
  }
  return found
}

export function printTally(target: Target, t: Tally, seconds: number | undefined): void {
  const detail = Object.entries(t.byVerdict)
    .filter(([verdict]) => !PASSING.has(verdict as Verdict))
    .map(([verdict, n]) => `${verdict} ${n}`)
    .join(', ')
  const took = seconds === undefined ? '' : ` [${seconds} s]`
  console.log(`${target}: ${t.passed} passed, ${t.failed} failed${detail ? ` (${detail})` : ''}, ${t.notApplicable} not applicable${took}`)
}

export function printRegressions(list: readonly Regression[]): void {
  for (const r of list) {
    console.log(`  ${r.id} [${r.test.kind ?? 'required'}] ${r.test.name}`)
    console.log(`      ${r.graded.verdict}${r.graded.message ? ` — ${r.graded.message}` : ''}`)
  }
}

/** results.json: per test, its kind and name, and per target its verdict (or why it does not apply). */
export function writeResults(
  file: string,
  suite: string,
  sections: readonly SuiteSection[],
  ids: readonly string[],
  runs: ReadonlyMap<Target, { graded: ReadonlyMap<string, Graded>; tally: Tally; seconds?: number }>,
): void {
  const tests = byId(sections)
  const perTest: Record<string, Record<string, string>> = {}
  for (const id of ids) {
    const test = tests.get(id)
    const entry: Record<string, string> = { kind: test?.kind ?? 'required', name: test?.name ?? '' }
    const why = NOT_APPLICABLE[id]
    if (why !== undefined) entry.notApplicable = why
    else
      for (const [target, run] of runs) {
        const g = run.graded.get(id)
        entry[target] = g ? (g.message ? `${g.verdict}: ${g.message}` : g.verdict) : 'untested'
      }
    perTest[id] = entry
  }
  const targets = Object.fromEntries([...runs].map(([target, run]) => [target, { ...run.tally, seconds: run.seconds }]))
  writeFileSync(file, `${JSON.stringify({ suite, targets, tests: perTest }, null, 2)}\n`)
}
