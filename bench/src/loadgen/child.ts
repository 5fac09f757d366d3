import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * Runs a load generator to completion and returns the one JSON line it prints on stdout,
 * plus its stderr (wrk's CPU times come there). Throws with both outputs when it fails.
 */
export async function runForJsonLine(
  what: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ json: string; stderr: string }> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const json = stdout.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !json) throw new Error(`${what} failed (exit ${code}):\n${stdout}${stderr}`);
  return { json, stderr };
}
