import { startFakeUpstream } from '@aius/test-support';

// The tests' OpenAI-compatible fake upstream, in a process of its own so it does not share a
// core with the load generator. PORT is required (the bench picks a spare one); FAKE_WORDS sets
// the words of a streamed answer (one chunk each, plus the role and the stop chunk).
const words = process.env.FAKE_WORDS ? Number(process.env.FAKE_WORDS) : undefined;
const upstream = await startFakeUpstream({ port: Number(process.env.PORT), record: false, words });
console.log(`FAKE_UPSTREAM=${upstream.url}`);
process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
