import { createConsola, type LogObject } from 'consola'

// What consola itself puts on a log object; everything else on it is a field the caller passed.
const CONSOLA_KEYS = new Set(['date', 'args', 'type', 'tag', 'level'])

/**
 * A consola instance whose reporter records log objects instead of printing them. `log()` passes
 * each line as one log object (`{ args: [message], ...fields }`), so a reporter finds the fields at the
 * top level and `args` holds the message alone.
 */
export function captureLogs(level = 4) {
  const lines: LogObject[] = []
  const logger = createConsola({ level, reporters: [{ log: (entry) => void lines.push(entry) }] })
  const fieldsOf = (entry: LogObject): Record<string, unknown> =>
    Object.fromEntries(Object.entries(entry).filter(([key]) => !CONSOLA_KEYS.has(key)))
  const fields = (type: string) => lines.filter((l) => l.type === type).map(fieldsOf)
  const messages = (type?: string) => lines.filter((l) => !type || l.type === type).map((l) => String(l.args[0]))
  return { logger, lines, fields, messages }
}
