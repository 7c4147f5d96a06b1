/** A half-open range of UTF-16 offsets into a document's text: [start, end). */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

export function range(start: number, end: number): TextRange {
  return { start, end };
}

export function cover(a: TextRange, b: TextRange): TextRange {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

export function contains(r: TextRange, offset: number): boolean {
  return offset >= r.start && offset <= r.end;
}

/** Line and column, both zero-based, of an offset. */
export interface LineCol {
  readonly line: number;
  readonly col: number;
}

/** Maps offsets to lines and columns for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  lineCol(offset: number): LineCol {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, col: o - (this.starts[lo] ?? 0) };
  }

  offset(line: number, col: number): number {
    const l = Math.max(0, Math.min(line, this.starts.length - 1));
    const start = this.starts[l] ?? 0;
    const next = l + 1 < this.starts.length ? (this.starts[l + 1] ?? this.text.length) - 1 : this.text.length;
    return Math.min(start + Math.max(0, col), next);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))] ?? 0;
  }
}
