// Usage (from the repository root): node scripts/measure/folder-arrows.mjs apps/api/src
// Folder-level import arrows of apps/api/src: every relative import (value or type) of every
// .ts file outside generated/, grouped by folder (modules/<name>, else the top-level folder;
// files at the root are "app"). Prints the arrows that lie on a cycle (inside a strongly
// connected component of the folder graph): those are the arrows that "run back up", since no
// bottom-to-top order of the folders can make them all point down.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
const root = path.resolve(process.argv[2] ?? 'apps/api/src');
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) { if (e !== 'generated') walk(p); }
    else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) files.push(p);
  }
})(root);
const folderOf = (file) => {
  const rel = path.relative(root, file).split(path.sep);
  if (rel.length === 1) return 'app';
  if (rel[0] === 'modules') return `modules/${rel[1]}`;
  return rel[0];
};
const edges = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = path.resolve(path.dirname(f), m[1]);
    if (!target.startsWith(root)) continue;
    const a = folderOf(f), b = folderOf(target);
    if (a === b || b === 'generated') continue;
    const key = `${a} -> ${b}`;
    if (!edges.has(key)) edges.set(key, new Set());
    edges.get(key).add(`${path.relative(root, f)} imports ${m[1]}`);
  }
}
const nodes = new Set([...edges.keys()].flatMap((k) => k.split(' -> ')));
const adj = new Map([...nodes].map((n) => [n, []]));
for (const k of edges.keys()) { const [a, b] = k.split(' -> '); adj.get(a).push(b); }
// Tarjan
let index = 0; const idx = new Map(), low = new Map(), stack = [], on = new Set(), comp = new Map();
function sc(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); on.add(v);
  for (const w of adj.get(v)) {
    if (!idx.has(w)) { sc(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) { let w; const c = []; do { w = stack.pop(); on.delete(w); c.push(w); } while (w !== v); for (const x of c) comp.set(x, c); }
}
for (const n of nodes) if (!idx.has(n)) sc(n);
const cyclic = [...edges.keys()].filter((k) => { const [a, b] = k.split(' -> '); return comp.get(a) === comp.get(b); }).sort();
const sccs = [...new Set([...comp.values()])].filter((c) => c.length > 1);
const mutual = [...edges.keys()].filter((k) => { const [a, b] = k.split(' -> '); return a < b && edges.has(`${b} -> ${a}`); }).map((k) => k.replace(' -> ', ' <-> '));
console.log(`${files.length} files, ${nodes.size} folders, ${edges.size} folder-level arrows`);
console.log(`arrows on a cycle (run back up): ${cyclic.length}`);
for (const k of cyclic) console.log(`  ${k}   [${[...edges.get(k)].slice(0, 3).join('; ')}${edges.get(k).size > 3 ? '; …' : ''}]`);
console.log(`folders importing each other: ${mutual.length}${mutual.length ? ': ' + mutual.join(', ') : ''}`);
console.log(`cycles (strongly connected groups): ${sccs.map((c) => '{' + c.sort().join(', ') + '}').join(' ') || 'none'}`);
