import Fastify from 'fastify';

/** The ceiling: the same health route on Fastify with no framework, no hooks, no logging. */
const app = Fastify({ logger: false });
app.get('/api/v1/health', async () => ({ status: 'ok' }));

/**
 * The floor of a chat call's own request handling (`pnpm --filter @aius/bench cpu`): the chat POST
 * with its JSON body parsed, answered with a fixed completion, no upstream. The bare proxy's CPU
 * minus this one's is the cost of the upstream exchange alone.
 */
const ANSWER = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-fixed',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-fake',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  }),
);
app.post('/api/v1/chat/completions', (request, reply) => {
  if (typeof (request.body as { model?: unknown } | undefined)?.model !== 'string') return reply.code(400).send({ detail: 'model' });
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length }).end(ANSWER);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
