import { createConsola, type LogObject } from 'consola'

/** A consola instance whose reporter records log objects instead of printing them. */
export function captureLogs(level = 4) {
  const lines: LogObject[] = []
  const logger = createConsola({ level, reporters: [{ log: (entry) => void lines.push(entry) }] })
  const fields = (type: string) => lines.filter((l) => l.type === type).map((l) => l.args[1] as Record<string, unknown>)
  const messages = (type?: string) => lines.filter((l) => !type || l.type === type).map((l) => String(l.args[0]))
  return { logger, lines, fields, messages }
}
