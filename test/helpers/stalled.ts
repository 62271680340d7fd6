import { spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { onTestFinished } from 'vitest'

const LISTENER = new URL('../fixtures/stalled-listener.mjs', import.meta.url)

/**
 * A port on 127.0.0.1 where a connect never completes: a listener in another process that never
 * accepts, its accept queue filled here first. Checked: the last filler is itself stalled.
 */
export async function stalledPort(): Promise<number> {
  const child = spawn(process.execPath, [LISTENER.pathname], { stdio: ['ignore', 'pipe', 'inherit'] })
  const fillers: Socket[] = []
  onTestFinished(() => {
    for (const socket of fillers) socket.destroy()
    child.kill()
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (line) => resolve(Number(String(line).trim())))
    child.once('error', reject)
  })
  for (let i = 0; i < 8; i++) {
    const socket = connect(port, '127.0.0.1').on('error', () => {})
    fillers.push(socket)
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 250)
      socket.once('connect', () => (clearTimeout(timer), resolve(true)))
    })
    if (!connected) return port
  }
  throw new Error('could not make connects stall: the listener kept accepting')
}
