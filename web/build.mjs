// Bundles web/src into web/dist (index.html, app.js, app.css).
// Usage: node build.mjs [--watch]
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
mkdirSync(dist, { recursive: true });

function writeIndex() {
  const hash = (f) => createHash('sha256').update(readFileSync(join(dist, f))).digest('hex').slice(0, 10);
  const html = readFileSync(join(root, 'index.html'), 'utf8')
    .replace('__APP_JS__', `app.js?v=${hash('app.js')}`)
    .replace('__APP_CSS__', `app.css?v=${hash('app.css')}`);
  writeFileSync(join(dist, 'index.html'), html);
  if (existsSync(join(root, 'favicon.svg'))) copyFileSync(join(root, 'favicon.svg'), join(dist, 'favicon.svg'));
}

const options = {
  entryPoints: { app: join(root, 'src/main.ts') },
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  outdir: dist,
  minify: !watch,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'info',
  loader: { '.css': 'css' },
  plugins: [{ name: 'index-html', setup(b) { b.onEnd((r) => { if (!r.errors.length) writeIndex(); }); } }],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
