// Bundles web/src into web/dist (index.html, app.js, app.css), and the API description with its
// page (openapi.json, api-docs/).
// Usage: node build.mjs [--watch]
import * as esbuild from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const watch = process.argv.includes('--watch');
mkdirSync(dist, { recursive: true });

const hash = (f) => createHash('sha256').update(readFileSync(join(dist, f))).digest('hex').slice(0, 10);

// The API description (docs/openapi.yaml) as dist/openapi.json, served at /api/v1/openapi.json,
// and its page: Swagger UI from npm (swagger-ui-dist) in dist/api-docs/, shown at /api/docs.
function writeApiDocs() {
  const spec = parseYaml(readFileSync(join(root, '..', 'docs', 'openapi.yaml'), 'utf8'));
  writeFileSync(join(dist, 'openapi.json'), JSON.stringify(spec));
  const out = join(dist, 'api-docs');
  mkdirSync(out, { recursive: true });
  const ui = join(root, 'node_modules', 'swagger-ui-dist');
  for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE']) copyFileSync(join(ui, f), join(out, f));
  copyFileSync(join(root, 'api-docs', 'init.js'), join(out, 'init.js'));
  // The stylesheet names a source map that is not shipped: drop the reference.
  const css = join(out, 'swagger-ui.css');
  writeFileSync(css, readFileSync(css, 'utf8').replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '\n'));
  const v = (f) => `${f}?v=${hash(join('api-docs', f))}`;
  const html = readFileSync(join(root, 'api-docs', 'index.html'), 'utf8')
    .replace('__CSS__', v('swagger-ui.css'))
    .replace('__BUNDLE__', v('swagger-ui-bundle.js'))
    .replace('__INIT__', v('init.js'));
  writeFileSync(join(out, 'index.html'), html);
}

function writeIndex() {
  const html = readFileSync(join(root, 'index.html'), 'utf8')
    .replace('__APP_JS__', `app.js?v=${hash('app.js')}`)
    .replace('__APP_CSS__', `app.css?v=${hash('app.css')}`);
  writeFileSync(join(dist, 'index.html'), html);
  if (existsSync(join(root, 'favicon.svg'))) copyFileSync(join(root, 'favicon.svg'), join(dist, 'favicon.svg'));
  writeApiDocs();
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
