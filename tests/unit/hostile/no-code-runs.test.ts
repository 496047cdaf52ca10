/**
 * Nothing a user gives can become code in the page: no HTML sinks in the source tree, a CSP that forbids
 * inline script in index.html and in the built dist/index.html, and the engine (src/core) touches no
 * file system or network, so nothing in an archive is ever written out or followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, ext));
    else if (ext.test(name)) out.push(path);
  }
  return out;
}

/** Places that turn a string into markup or code. None is allowed; an exception would be listed here with why. */
const SINKS = [
  /\{@html\b/,
  /\.innerHTML\b/,
  /\.outerHTML\s*=/,
  /insertAdjacentHTML/,
  /document\.write/,
  /\bnew Function\s*\(/,
  /\beval\s*\(/,
  /setTimeout\(\s*['"`]/,
  /createContextualFragment/,
  /srcdoc/,
];
const ALLOWED: { file: string; sink: RegExp; why: string }[] = [];

function cspOf(html: string): string {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
  expect(meta, 'a CSP meta tag').not.toBeNull();
  return meta![1]!;
}

function directive(csp: string, name: string): string[] {
  const found = csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find((d) => d[0] === name);
  return found ? found.slice(1) : [];
}

function checkCsp(html: string): void {
  const csp = cspOf(html);
  const script = directive(csp, 'script-src');
  expect(script).toContain("'self'");
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", 'data:', 'blob:', '*', 'http:', 'https:']) expect(script).not.toContain(bad);
  expect(directive(csp, 'default-src')).toEqual(["'self'"]);
  expect(directive(csp, 'connect-src')).toEqual(["'self'"]);
  expect(directive(csp, 'object-src')).toEqual(["'none'"]);
  expect(directive(csp, 'base-uri')).toEqual(["'none'"]);
  // And the page itself carries no inline script to allow.
  for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/gi) ?? []) expect(tag).toMatch(/<script\b[^>]*\bsrc=[^>]*>\s*<\/script>/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
}

describe('no code from input ever runs', () => {
  const sources = files(SRC, /\.(ts|svelte|js)$/);

  it('finds the sources', () => expect(sources.length).toBeGreaterThan(50));

  it('no HTML or code sink (innerHTML, {@html}, eval, new Function, document.write…) in src/**', () => {
    const hits: string[] = [];
    for (const path of sources) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may name the sinks they avoid
        for (const sink of SINKS) {
          const rel = relative(ROOT, path);
          if (sink.test(line) && !ALLOWED.some((a) => a.file === rel && a.sink.source === sink.source)) hits.push(`${rel}:${i + 1}: ${line.trim()}`);
        }
      });
    }
    expect(hits).toEqual([]);
  });

  it('links the app builds from input get no javascript: or data: scheme (href/src bound to a variable are checked)', () => {
    const hits: string[] = [];
    for (const path of sources.filter((p) => p.endsWith('.svelte'))) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(/\b(href|src|action|formaction)=\{([^}]+)\}/g)) {
        // A bound URL must come from our own code (a blob: URL or a fragment we encode), never raw input.
        if (!/blob|url|link|href|download|#/i.test(m[2]!)) hits.push(`${relative(ROOT, path)}: ${m[0]}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('the engine (src/core) imports no Node built-in, fs, network or DOM: an archive is never written or followed', () => {
    const hits: string[] = [];
    for (const path of files(join(SRC, 'core'), /\.ts$/)) {
      const text = readFileSync(path, 'utf8');
      for (const m of text.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || ['fs', 'path', 'child_process', 'http', 'https', 'net', 'os'].includes(spec))
          hits.push(`${relative(ROOT, path)}: ${spec}`);
      }
      if (/\b(fetch|XMLHttpRequest|WebSocket|document\.|window\.|localStorage|require)\s*\(/.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
        hits.push(`${relative(ROOT, path)}: network/DOM call`);
    }
    expect(hits).toEqual([]);
  });

  it("index.html's CSP forbids inline script, eval and foreign origins", () => {
    checkCsp(readFileSync(join(ROOT, 'index.html'), 'utf8'));
  });

  it.skipIf(!existsSync(join(ROOT, 'dist/index.html')))("the built dist/index.html keeps script-src 'self' without 'unsafe-inline'", () => {
    checkCsp(readFileSync(join(ROOT, 'dist/index.html'), 'utf8'));
  });
});
