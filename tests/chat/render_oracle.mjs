// Renders Jinja templates with @huggingface/jinja (the oracle the project's interpreter is checked
// against), with any context: what ../shared/tools/oracles/render-chat.mjs cannot pass (tools,
// enable_thinking, a fixed date for strftime_now).
//
//   node render_oracle.mjs ORACLE_DIR < cases.json > results.json
//
// cases.json: [{"template": "...", "context": {...}, "now": <ms since the epoch, optional>}, ...]
// results.json: [{"ok": true, "text": "..."} or {"ok": false, "error": "..."}, ...] in the same order.
// Run it with TZ=UTC so that strftime_now's local time is the UTC time of "now".
import fs from 'fs';
import path from 'path';
import url from 'url';

const dir = process.argv[2];
const entry = path.join(dir, 'node_modules', '@huggingface', 'jinja', 'dist', 'index.js');
const { Template } = await import(url.pathToFileURL(entry).href);

const RealDate = Date;
function fixDate(ms) {
  globalThis.Date = ms === undefined || ms === null ? RealDate : class extends RealDate {
    constructor(...args) { if (args.length === 0) super(ms); else super(...args); }
    static now() { return ms; }
  };
}

const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = cases.map((c) => {
  try {
    fixDate(c.now);
    return { ok: true, text: new Template(c.template).render(c.context ?? {}) };
  } catch (e) {
    return { ok: false, error: String(e && e.message !== undefined ? e.message : e) };
  } finally {
    fixDate(null);
  }
});
process.stdout.write(JSON.stringify(results));
