/**
 * A minimal valid PDF (1.4, one A4 page, Helvetica, WinAnsiEncoding) built in code: the printed
 * copy embedded in the non-structured consultation report (as DOC_NON_STRUCTURE_CDA-R2-N1.xml
 * embeds its PDF) and in the prescription's FR-Document-PDF-copie section.
 */

function pdfString(text: string): string {
  // WinAnsi covers Latin-1 for French text; anything else becomes '?'
  const latin1 = [...text.replace(/[\r\n\t]+/g, ' ')].map((c) => (c.charCodeAt(0) <= 0xff ? c : '?')).join('');
  return `(${latin1.replace(/\\/g, '\\\\').replace(/\(/g, '\\(').replace(/\)/g, '\\)')})`;
}

/** Wrap a paragraph at ~90 characters. */
function wrap(text: string, width = 90): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

export function buildPdf(title: string, lines: string[]): Buffer {
  const body = [title, '', ...lines.flatMap((l) => wrap(l))].slice(0, 60);
  const ops = ['BT', '/F1 11 Tf', '14 TL', '56 786 Td'];
  body.forEach((l, i) => {
    if (i === 0) ops.push('/F1 14 Tf', `${pdfString(l)} Tj`, '/F1 11 Tf');
    else ops.push('T*', `${pdfString(l)} Tj`);
  });
  ops.push('ET');
  const stream = Buffer.from(ops.join('\n'), 'latin1');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = chunks[0].length;
  const offsets: number[] = [];
  const push = (b: Buffer): void => {
    chunks.push(b);
    size += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(size);
    push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'));
  });
  offsets.push(size);
  push(Buffer.from(`5 0 obj\n<< /Length ${stream.length} >>\nstream\n`, 'latin1'));
  push(stream);
  push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  const xref = size;
  const entries = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  push(Buffer.from(`xref\n0 6\n0000000000 65535 f \n${entries}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}
