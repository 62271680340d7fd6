import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { onTestFinished } from 'vitest'

/** What the server saw of one request. */
export type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }

/** One scripted answer. A number is a status with an empty body. */
export type Step =
  | number
  | { status?: number; json?: unknown; body?: string | Buffer; headers?: Record<string, string> }
  | 'reset'
  | 'hang'
  | ((req: IncomingMessage, res: ServerResponse, seen: Seen) => void)

export type TestServer = {
  /** `http://127.0.0.1:PORT` */
  url: string
  port: number
  /** Every request, in order. */
  seen: Seen[]
  /** Sockets ever opened by clients. */
  sockets: Set<Socket>
  close(): Promise<void>
}

/**
 * Starts a real node:http server on 127.0.0.1:0, answering by hit count from `script` (the last
 * step repeats), or by a handler. Closed by the calling test's own teardown.
 */
export async function startServer(script: Step | readonly Step[] = 200): Promise<TestServer> {
  const steps = Array.isArray(script) ? script : [script as Step]
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  const open = new Set<Socket>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const hit: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }
      seen.push(hit)
      play(steps[Math.min(seen.length - 1, steps.length - 1)] as Step, req, res, hit)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of open) socket.destroy()
      server.close(() => resolve())
    })
  try {
    onTestFinished(close)
  } catch {
    // Started in a beforeAll: the suite's afterAll closes it.
  }
  return { url: `http://127.0.0.1:${port}`, port, seen, sockets, close }
}

function play(step: Step, req: IncomingMessage, res: ServerResponse, hit: Seen): void {
  if (typeof step === 'function') {
    step(req, res, hit)
    return
  }
  if (step === 'reset') {
    req.socket.resetAndDestroy()
    return
  }
  if (step === 'hang') return
  if (typeof step === 'number') {
    res.writeHead(step).end()
    return
  }
  const headers = { ...step.headers }
  let body = step.body
  if (step.json !== undefined) {
    body = JSON.stringify(step.json)
    headers['content-type'] ??= 'application/json'
  }
  res.writeHead(step.status ?? 200, headers).end(body)
}

/** A server that echoes what it received as JSON: method, url, headers, body text. */
export function echo(req: IncomingMessage, res: ServerResponse, seen: Seen): void {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: seen.body.toString() }))
}

/** A port on 127.0.0.1 that refuses connections. */
export async function refusedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
