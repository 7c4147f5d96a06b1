/**
 * The CSV files a spec's `csv(path, ...)` sources name: the host reads and parses them (the runtime does no
 * file IO) and passes them to the run as ExecuteOptions.tables, keyed by the path as written in the spec.
 * A path is relative to the file that declares the data (a `use`d file's data resolve from that file).
 *
 * The parser follows RFC 4180: comma-separated fields, a header row of column names, fields in double
 * quotes may hold commas, line breaks and doubled quotes (`""`); LF or CRLF line ends; a UTF-8 byte-order
 * mark is dropped; blank lines are skipped. A column is numeric when every row holds a finite number in it
 * (surrounding spaces allowed). Every error names the file, the line and the fix.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { IrProgram } from '@ouro/dsl';
import type { Table } from '@ouro/runtime';
import { count } from './stats.js';

export class CsvError extends Error {
  override name = 'CsvError';
  constructor(
    readonly file: string,
    /** One-based line of the problem; 0 when it concerns the whole file. */
    readonly line: number,
    /** What is wrong and the fix, without the place. */
    readonly detail: string,
    /** The IR node of the data declaration that names the file. */
    readonly nodeId: string | null = null,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

/** Splits CSV text into records of fields, each with the line it starts on. */
function records(text: string, file: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  let fieldStarted = false;
  const endRecord = (): void => {
    fields.push(field);
    // A blank line is one empty unquoted field: skip it.
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) out.push({ line: start, fields });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          const next = text[i + 1];
          if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
            throw new CsvError(
              file,
              line,
              `a quoted field is followed by \`${next}\`; end the field at the closing quote, or double a quote inside it ("")`,
            );
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field.trim() !== '')
        throw new CsvError(
          file,
          line,
          'a quote inside an unquoted field; quote the whole field and double the quotes inside it ("a ""b"" c")',
        );
      field = '';
      quoted = true;
      quoteLine = line;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw new CsvError(file, quoteLine, 'a quoted field is never closed; add the closing `"`');
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return out;
}

/** Parses CSV text (see the module comment); `file` names it in errors. */
export function parseCsv(text: string, file: string): Table {
  const recs = records(text, file);
  if (recs.length === 0)
    throw new CsvError(file, 0, 'the file is empty; give a header row of column names, then one row per sample');
  const header = recs[0]!.fields.map((h) => h.trim());
  header.forEach((h, j) => {
    if (h === '')
      throw new CsvError(file, recs[0]!.line, `column ${j + 1} of the header has no name; name every column`);
    const k = header.indexOf(h);
    if (k !== j) throw new CsvError(file, recs[0]!.line, `the column name "${h}" appears twice; rename one`);
  });
  if (recs.length === 1) throw new CsvError(file, 0, 'the file has a header but no rows; add one row per sample');
  const numeric = header.map(() => true);
  const rows = recs.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length)
      throw new CsvError(
        file,
        line,
        `this row has ${count(fields.length, 'field')} but the header has ${header.length}; give every row one field per column (quote a field that holds a comma: "a,b")`,
      );
    return fields.map((f, j) => {
      const s = f.trim();
      const x = s === '' ? Number.NaN : Number(s);
      if (!Number.isFinite(x)) numeric[j] = false;
      return x;
    });
  });
  return { columns: header, numeric, rows };
}

/** The path of a csv data source as written, and the file it resolves to. */
export function csvFiles(
  ir: IrProgram,
  toPath: (uri: string) => string = (u) => u,
): { path: string; file: string; nodeId: string }[] {
  const out: { path: string; file: string; nodeId: string }[] = [];
  for (const d of Object.values(ir.data)) {
    if (d.kind !== 'csv') continue;
    const path = d.args['path'];
    if (typeof path !== 'string') continue;
    const from = toPath(ir.sourceMap[d.id]?.uri ?? ir.uri);
    out.push({ path, file: isAbsolute(path) ? path : resolve(dirname(from), path), nodeId: d.id });
  }
  return out;
}

/** Reads and parses every CSV file the program names. Throws CsvError naming the file, the line and the fix. */
export function readTables(
  ir: IrProgram,
  options: { toPath?: (uri: string) => string; read?: (file: string) => string } = {},
): Record<string, Table> {
  const read = options.read ?? ((f: string) => readFileSync(f, 'utf8'));
  const tables: Record<string, Table> = {};
  for (const { path, file, nodeId } of csvFiles(ir, options.toPath)) {
    if (tables[path]) continue;
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new CsvError(
        file,
        0,
        `cannot read the CSV file of \`csv("${path}")\` (${why}); the path is relative to the spec that declares the data`,
        nodeId,
      );
    }
    try {
      tables[path] = parseCsv(text, file);
    } catch (e) {
      if (e instanceof CsvError) throw new CsvError(e.file, e.line, e.detail, nodeId);
      throw e;
    }
  }
  return tables;
}
