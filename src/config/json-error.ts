/**
 * Where a JSON text goes wrong, as line and column: Node 20's JSON.parse often says only
 * "Unexpected token" without a position. A small scanner of the JSON grammar (RFC 8259) finds the
 * first offset that cannot continue a valid text; it is only run once JSON.parse has refused.
 */
export interface JsonErrorPlace {
  line: number;
  column: number;
  offset: number;
  found: string;
}

export function jsonErrorPlace(text: string): JsonErrorPlace | null {
  let pos = 0;
  const fail = (): never => {
    throw pos;
  };
  const ws = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[pos] !== ch) fail();
      pos++;
    }
  };
  const string = () => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail();
      const ch = text[pos];
      if (ch === '"') return void pos++;
      if (ch < ' ') fail();
      if (ch === '\\') {
        pos++;
        if (text[pos] === 'u') {
          for (let i = 1; i <= 4; i++) {
            if (/[0-9a-fA-F]/.test(text[pos + i] ?? '')) continue;
            pos += i;
            fail();
          }
          pos += 5;
        } else if ('"\\/bfnrt'.includes(text[pos] ?? '\0')) pos++;
        else fail();
      } else pos++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (!match || match[0] === '-' || match[0] === '') fail();
    pos += match![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[pos];
    if (ch === '{') {
      pos++;
      ws();
      if (text[pos] === '}') return void pos++;
      for (;;) {
        ws();
        if (text[pos] !== '"') fail();
        string();
        ws();
        if (text[pos] !== ':') fail();
        pos++;
        value();
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') return void pos++;
        else fail();
      }
    }
    if (ch === '[') {
      pos++;
      ws();
      if (text[pos] === ']') return void pos++;
      for (;;) {
        value();
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') return void pos++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    return number();
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) pos = 1;
    value();
    ws();
    if (pos < text.length) fail();
    return null;
  } catch (thrown) {
    if (typeof thrown !== 'number') throw thrown;
    const before = text.slice(0, thrown);
    const line = before.split('\n').length;
    const column = thrown - before.lastIndexOf('\n');
    const found = thrown >= text.length ? 'the end of the file' : JSON.stringify(text.slice(thrown, thrown + 12));
    return { line, column, offset: thrown, found };
  }
}
