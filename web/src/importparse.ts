// Reads an import file in the browser, only to preview it: CSV (header row of field names),
// JSON lines, one Markdown document with front matter, or a zip of Markdown files. The
// server parses and checks the file again on import (all or nothing); this never decides
// what is imported. Markdown bodies are not converted here: the preview shows the title and
// fields, not the HTML.

export type ImportKind = 'csv' | 'ndjson' | 'markdown' | 'zip';

export interface PreviewRow {
  row: number;        // 1-based item number (CSV: data row after the header)
  file?: string;      // the zip entry
  fields: Record<string, unknown>;
  problem?: string;   // what the server is expected to refuse
}

export interface ParsedImport {
  kind: ImportKind;
  rows: PreviewRow[];
  error?: string;     // the file as a whole could not be read
}

export const MEDIA_TYPE: Record<ImportKind, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  markdown: 'text/markdown',
  zip: 'application/zip',
};

export function kindOf(name: string): ImportKind | null {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'csv') return 'csv';
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'zip') return 'zip';
  return null;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
export function csvRecords(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { rec.push(cell); cell = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(cell); cell = '';
      if (rec.length > 1 || rec[0] !== '') out.push(rec);
      rec = [];
    } else cell += ch;
  }
  if (cell !== '' || rec.length) { rec.push(cell); out.push(rec); }
  return out;
}

const listCell = (s: string) => (s.trim().startsWith('[') ? (() => { try { return JSON.parse(s); } catch { return s; } })() : s.split('|').map((x) => x.trim()).filter(Boolean));

function parseCsv(text: string): ParsedImport {
  const recs = csvRecords(text);
  if (!recs.length) return { kind: 'csv', rows: [], error: 'The file is empty.' };
  const header = recs[0].map((x) => x.trim());
  const rows = recs.slice(1).map((r, n) => {
    const fields: Record<string, unknown> = {};
    header.forEach((k, i) => {
      const v = r[i] ?? '';
      if (v === '') return;
      fields[k] = k === 'categories' || k === 'tags' ? listCell(v) : v;
    });
    return { row: n + 1, fields, problem: r.length !== header.length ? `has ${r.length} cells, the header ${header.length}` : undefined };
  });
  return { kind: 'csv', rows };
}

function parseNdjson(text: string): ParsedImport {
  const rows: PreviewRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const row = rows.length + 1;
    try {
      const v = JSON.parse(line);
      rows.push(v && typeof v === 'object' && !Array.isArray(v) ? { row, fields: v } : { row, fields: {}, problem: 'is not a JSON object' });
    } catch { rows.push({ row, fields: {}, problem: 'is not valid JSON' }); }
  }
  return { kind: 'ndjson', rows };
}

/** Front matter as the preview needs it: `key: value`, `[a, b]` lists and `- item` lists. */
export function frontMatter(text: string): { fields: Record<string, unknown>; body: string; problem?: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== '---') return { fields: {}, body: text, problem: 'has no front matter (a title between --- lines)' };
  const end = lines.findIndex((l, i) => i > 0 && (l === '---' || l === '...'));
  if (end < 0) return { fields: {}, body: '', problem: 'opens its front matter with --- and never closes it' };
  const fields: Record<string, unknown> = {};
  let listKey: string | null = null;
  for (const l of lines.slice(1, end)) {
    const item = /^\s+-\s+(.*)$/.exec(l) ?? /^-\s+(.*)$/.exec(l);
    if (item && listKey) { (fields[listKey] as string[]).push(unquote(item[1])); continue; }
    const m = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(l);
    if (!m) continue;
    const [, k, v] = m;
    if (v === '') { fields[k] = []; listKey = k; continue; }
    listKey = null;
    fields[k] = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1).split(',').map((x) => unquote(x.trim())).filter(Boolean) : unquote(v);
  }
  const body = lines.slice(end + 1).join('\n');
  return { fields: { ...fields, content_html: body.trim() ? body : undefined }, body };
}
const unquote = (s: string) => s.replace(/^(["'])(.*)\1$/, '$2');

function markdownRow(text: string, row: number, file?: string): PreviewRow {
  const fm = frontMatter(text);
  return { row, file, fields: fm.fields, problem: fm.problem };
}

/** The Markdown files of a zip (stored or deflated), read with the browser's DecompressionStream. */
async function parseZip(data: ArrayBuffer): Promise<ParsedImport> {
  const v = new DataView(data);
  // End of central directory: the last "PK\5\6" record.
  let eocd = -1;
  for (let i = data.byteLength - 22; i >= Math.max(0, data.byteLength - 65557); i--) if (v.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) return { kind: 'zip', rows: [], error: 'This is not a zip file.' };
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const rows: PreviewRow[] = [];
  const dec = new TextDecoder();
  for (let n = 0; n < count && v.getUint32(p, true) === 0x02014b50; n++) {
    const method = v.getUint16(p + 10, true);
    const size = v.getUint32(p + 20, true);
    const nameLen = v.getUint16(p + 28, true);
    const extra = v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true);
    const name = dec.decode(new Uint8Array(data, p + 46, nameLen));
    p += 46 + nameLen + extra;
    if (name.endsWith('/') || name.startsWith('__MACOSX/')) continue;
    const row = rows.length + 1;
    if (!/\.(md|markdown)$/i.test(name)) { rows.push({ row, file: name, fields: {}, problem: 'is not a Markdown file (.md)' }); continue; }
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    const raw = new Uint8Array(data, start, size) as Uint8Array<ArrayBuffer>;
    try {
      const bytes = method === 0 ? raw : method === 8 ? await inflate(raw) : null;
      rows.push(bytes ? markdownRow(dec.decode(bytes), row, name) : { row, file: name, fields: {}, problem: 'is packed in a way herald cannot read' });
    } catch { rows.push({ row, file: name, fields: {}, problem: 'cannot be unpacked' }); }
  }
  return { kind: 'zip', rows };
}

async function inflate(raw: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** What the server requires of every item (the rest it checks on import). */
function expect(rows: PreviewRow[]): PreviewRow[] {
  for (const r of rows) {
    if (r.problem) continue;
    if (!String(r.fields.title ?? '').trim()) r.problem = 'has no title';
    else if (!String(r.fields.content_html ?? '').trim()) r.problem = 'has no body (content_html)';
  }
  return rows;
}

export async function parseImport(file: File): Promise<ParsedImport> {
  const kind = kindOf(file.name);
  if (!kind) return { kind: 'csv', rows: [], error: 'Choose a .csv, .ndjson (.jsonl), .md or .zip file.' };
  const parsed = kind === 'zip' ? await parseZip(await file.arrayBuffer())
    : kind === 'csv' ? parseCsv(await file.text())
      : kind === 'ndjson' ? parseNdjson(await file.text())
        : { kind, rows: [markdownRow(await file.text(), 1)] } as ParsedImport;
  parsed.rows = expect(parsed.rows);
  return parsed;
}
