// npx tsx examples/fastify-app/server.ts — reads settings from the environment (or .env).
import { loadSettings } from '../settings.js'
import { buildApp } from './app.js'

const app = await buildApp(loadSettings())
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Graceful: stop taking requests, let in-flight ones finish, then close every client.
  process.once(signal, () => void app.close())
}
