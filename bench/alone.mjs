// One client alone in a fresh process: the unit of measurement of bench/targets.mjs and
// bench/profile/ab.mjs. bench/profile/drive.mjs sets up only that client, pins its server to CPU 1
// and itself to CPU 0 (`--pin`: on a 2-core machine the scheduler otherwise puts both on one core
// for part of a run, the largest noise there is), warms up, then measures `windows` windows; the
// window with the least CPU a request stands for the process, since a spell of the host's noise
// inflates a window and never deflates it.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const drive = fileURLToPath(new URL('./profile/drive.mjs', import.meta.url))

/**
 * Runs `spec` (label:rowId[@dir], see drive.mjs) alone on the Node binary `bin`; resolves to
 * { cpu (µs/req), rps, maxRSS (MB, warm-up included), gc } or undefined when the process failed
 * (its last lines go to stderr).
 */
export function runAlone(bin, { scenario, spec, ms = 700, warm = 1200, windows = 2 }) {
  const label = spec.split(':')[0]
  try {
    const out = execFileSync(
      bin,
      [
        '--no-memory-reducer',
        drive,
        `--scenario=${scenario}`,
        `--clients=${spec}`,
        `--only=${label}`,
        '--pin',
        `--rounds=${windows}`,
        `--ms=${ms}`,
        `--warm=${warm}`,
        '--json',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    )
    const measured = JSON.parse(out.trim().split('\n').pop())[label]
    const best = measured.reduce((a, b) => (b.cpu < a.cpu ? b : a))
    return { cpu: best.cpu, rps: best.rps, maxRSS: Math.max(...measured.map((w) => w.maxRSS)), gc: best.gc }
  } catch (error) {
    const tail = String(error.stderr || error.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ')
    process.stderr.write(`  ${scenario} ${label} failed: ${tail}\n`)
    return undefined
  }
}
