import { startFakeUpstream } from '@aius/test-support';

// The tests' OpenAI-compatible fake upstream, in a process of its own so it does not share a
// core with the load generator. PORT is required (the bench picks a spare one).
const upstream = await startFakeUpstream({ port: Number(process.env.PORT), record: false });
console.log(`FAKE_UPSTREAM=${upstream.url}`);
process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
