// A TCP relay in front of a server that counts the bytes coming back: how many bytes really
// crossed the wire, whatever the client decoded from them (content-encoding.nginx,
// response-size.nginx).
import { createServer, type Socket, connect as tcpConnect } from 'node:net'

/** A TCP relay to `port` that counts the bytes coming back from it. */
export async function countingRelay(port: number): Promise<{ url: string; received(): number; close(): Promise<void> }> {
  let received = 0
  const sockets = new Set<Socket>()
  const relay = createServer((client) => {
    const upstream = tcpConnect(port, '127.0.0.1')
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.length
    })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.on('close', () => (client.destroy(), upstream.destroy()))
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  const address = relay.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => relay.close(() => resolve()))
    },
  }
}
