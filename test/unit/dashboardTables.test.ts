// The dashboard page draws statuses with the glyphs and in the order every
// other display uses (core/format.ts), not a table of its own.
import { describe, expect, it } from '@jest/globals';
import { STATUS_GLYPHS, STATUS_RANK } from '../../src/core/format.js';
import { dashboardHtml } from '../../src/server/dashboard.js';

function scriptConst(name: string): unknown {
  const m = new RegExp(`const ${name} = (\\{[^\\n]*\\});`).exec(dashboardHtml);
  if (!m) throw new Error(`no ${name} in the page's script`);
  return JSON.parse(m[1]!);
}

describe('the dashboard page', () => {
  it('uses the one glyph table, with the status word beside the glyph', () => {
    const glyphs = scriptConst('GLYPH') as Record<string, string>;
    for (const [status, glyph] of Object.entries(STATUS_GLYPHS))
      expect(glyphs[status]).toBe(`${glyph} ${status}`);
  });

  it('sorts by the one status order', () => {
    expect(scriptConst('ORDER')).toEqual(STATUS_RANK);
  });

  it('keeps its bytes ASCII (glyphs as escapes)', () => {
    expect([...dashboardHtml].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
  });
});
