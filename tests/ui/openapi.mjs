// Checks real answers of herald against its API description (docs/openapi.yaml, served as
// /api/v1/openapi.json): the operation must exist, the status must be described for it, the
// media type must be one it lists, required headers must be there, and a JSON body must
// validate against the schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). Every answer
// checked is counted per operation, so a test can also ask which operations it never saw.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The paths of herald's own HTTP surface (the UI's static files are not described). */
export const isDescribedPath = (path) =>
  /^\/(api\/|healthz$|readyz$|metrics$|demo\/)/.test(path) && !path.startsWith('/api-docs/');

export class OpenApiChecker {
  constructor(spec) {
    this.spec = spec;
    this.ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    // Schemas refer to each other as #/components/schemas/X: held as one schema by id.
    const text = JSON.stringify(spec).replaceAll('"#/components/schemas/', '"herald#/$defs/');
    this.rewritten = JSON.parse(text);
    this.ajv.addSchema({ $id: 'herald', $defs: this.rewritten.components.schemas });
    this.validators = new Map();
    this.operations = [];  // {method, template, regex, op, rewrittenOp}
    for (const [template, item] of Object.entries(spec.paths)) {
      const regex = new RegExp(`^${template.replace(/\/$/, '').replace(/\{[^}]+\}/g, '[1-9][0-9]*')}/?$`);
      for (const method of METHODS) {
        if (!item[method]) continue;
        this.operations.push({
          method: method.toUpperCase(), template, regex, op: item[method],
          rewrittenOp: this.rewritten.paths[template][method],
        });
      }
    }
    this.seen = new Map();  // "GET /api/v1/sites/" → Set of statuses
    // Compile every schema now (answers, bodies, parameters): a broken one fails here.
    for (const o of this.operations) {
      const body = this.resolve(o.rewrittenOp.requestBody);
      for (const media of Object.values(body?.content ?? {})) if (media.schema) this.compile(media.schema);
      const item = this.rewritten.paths[o.template];
      for (const p of [...(item.parameters ?? []), ...(o.rewrittenOp.parameters ?? [])]) this.compile(this.resolve(p).schema);
      for (const status of Object.keys(o.op.responses)) {
        const response = this.resolve(o.rewrittenOp.responses[status]);
        for (const media of Object.values(response.content ?? {})) if (media.schema) this.compile(media.schema);
      }
    }
  }

  resolve(object) {
    let o = object;
    while (o && o.$ref) {
      const parts = o.$ref.replace(/^#\//, '').split('/');
      o = parts.reduce((at, p) => at[p], this.rewritten);
    }
    return o;
  }

  compile(schema) {
    const key = JSON.stringify(schema);
    if (!this.validators.has(key)) this.validators.set(key, this.ajv.compile(schema));
    return this.validators.get(key);
  }

  find(method, path) {
    return this.operations.find((o) => o.method === method && o.regex.test(path));
  }

  /**
   * @returns the problems (strings) of one answer; [] when it matches its description.
   * `headers` is a Headers object or a plain object with lower-case names.
   */
  check(method, url, status, headers, body) {
    const path = new URL(url, 'http://x').pathname;
    const where = `${method} ${path} → ${status}`;
    const o = this.find(method, path);
    if (!o) return [`${where}: no operation of the description matches`];
    const key = `${o.method} ${o.template}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key).add(status);
    const described = o.rewrittenOp.responses[String(status)];
    if (!described) return [`${where}: status ${status} is not described for ${key}`];
    const response = this.resolve(described);
    const header = (name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name.toLowerCase()]);
    const problems = [];
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      if (this.resolve(h).required && header(name) == null) problems.push(`${where}: header ${name} missing`);
    }
    if (!response.content) {
      if (body) problems.push(`${where}: a body where the description has none`);
      return problems;
    }
    const type = (header('content-type') ?? '').split(';')[0].trim();
    const media = response.content[type];
    if (!media) return [...problems, `${where}: content type '${type}' is not described (${Object.keys(response.content)})`];
    if (type !== 'application/json' || !media.schema) return problems;
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      return [...problems, `${where}: the body is not JSON`];
    }
    const validate = this.compile(media.schema);
    if (!validate(json)) {
      for (const e of validate.errors) {
        problems.push(`${where}: ${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}${e.params?.unevaluatedProperty ? ` '${e.params.unevaluatedProperty}'` : ''}`);
      }
    }
    return problems;
  }

  /** Described operations never answered with a 2xx so far ("GET /api/v1/sites/"). */
  unexercised() {
    return this.operations
      .map((o) => `${o.method} ${o.template}`)
      .filter((k) => ![...(this.seen.get(k) ?? [])].some((s) => s >= 200 && s < 300));
  }
}

/** Loads the description the server serves. */
export async function loadChecker(base) {
  const r = await fetch(new URL('api/v1/openapi.json', base));
  if (r.status !== 200) throw new Error(`GET /api/v1/openapi.json: ${r.status} ${await r.text()}`);
  return new OpenApiChecker(await r.json());
}

/**
 * Checks every described answer a browser page gets (a playwright 'response' listener for
 * browser.mjs's watchResponses); problems go into `problems`, and `settled()` waits for the
 * bodies still being read. An event stream is checked by its head only (it never ends).
 */
export function responseWatcher(checker, problems) {
  const pending = new Set();
  const listener = (response) => {
    const url = new URL(response.url());
    if (!isDescribedPath(url.pathname)) return;
    const method = response.request().method();
    const headers = response.headers();
    const work = (async () => {
      let body = '';
      if (!(headers['content-type'] ?? '').startsWith('text/event-stream')) {
        try {
          body = await response.text();
        } catch {
          return;  // the page went away before the body was read: nothing to check
        }
      }
      problems.push(...checker.check(method, url.href, response.status(), headers, body));
    })();
    pending.add(work);
    work.finally(() => pending.delete(work));
  };
  return { listener, settled: () => Promise.all([...pending]) };
}
