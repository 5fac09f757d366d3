import { execFileSync } from 'node:child_process';

/**
 * A port free right now, found synchronously (a config file or a spec's top level needs one
 * before anything async can run): a child process binds port 0 and reports what it got.
 */
export function freePort(): string {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return execFileSync(process.execPath, ['-e', script]).toString();
}
