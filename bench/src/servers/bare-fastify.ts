import Fastify from 'fastify';

/** The ceiling: the same health route on Fastify with no framework, no hooks, no logging. */
const app = Fastify({ logger: false });
app.get('/api/v1/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
