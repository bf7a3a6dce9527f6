// The reference side of bench_tokenizer: Hugging Face's Rust `tokenizers` (the oracle's npm package
// @anush008/tokenizers) encoding the same records, timed inside node so that start-up is not counted.
//
//   node bench/bench_tokenizer_oracle.mjs ORACLES_DIR TOKENIZER_JSON RECORDS_JSON RUNS
//
// RECORDS_JSON: a JSON array of strings. Prints one JSON object: load_ms, and per run the seconds of
// whole (the records joined by "\n", one encode), records (one encode per record, awaited in turn) and
// batch (encodeBatch of all records: rayon threads), plus token counts and the id checksum
// h = h * 31 + id (mod 2^32) over the records' ids, as bench_tokenizer computes it.
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

const [dir, file, recordsFile, runsArg] = process.argv.slice(2);
const { Tokenizer } = createRequire(path.resolve(dir) + '/')('@anush008/tokenizers');
const records = JSON.parse(fs.readFileSync(recordsFile, 'utf8'));
const whole = records.map((r) => r + '\n').join('');
const runs = Number(runsArg || 5);
const options = { addSpecialTokens: false };
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

let start = process.hrtime.bigint();
const tok = Tokenizer.fromFile(file);
const out = { load_ms: seconds(start) * 1e3, whole_s: [], records_s: [], batch_s: [] };
for (let run = 0; run < runs; ++run) {
  start = process.hrtime.bigint();
  out.whole_tokens = (await tok.encode(whole, null, options)).getIds().length;
  out.whole_s.push(seconds(start));

  let tokens = 0;
  let hash = 0;
  start = process.hrtime.bigint();
  for (const record of records) {
    const ids = (await tok.encode(record, null, options)).getIds();
    tokens += ids.length;
    for (const id of ids) hash = (Math.imul(hash, 31) + id) >>> 0;
  }
  out.records_s.push(seconds(start));
  out.records_tokens = tokens;
  out.records_hash = hash;

  start = process.hrtime.bigint();
  await tok.encodeBatch(records, options);
  out.batch_s.push(seconds(start));
}
console.log(JSON.stringify(out));
