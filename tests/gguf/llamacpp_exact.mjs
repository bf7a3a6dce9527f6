// Greedy generation with llama.cpp (@fugood/llama.node, CPU) at full precision: the KV cache in F32 and flash
// attention off. ../shared/tools/oracles/llamacpp-generate.mjs runs llama.cpp's defaults, whose F16 KV cache
// and flash attention round queries, keys and values to F16; with peaked logits that flips greedy choices, so
// a comparison meant to be exact (F32/F16 weights against the studio's fp32 forward) runs this instead.
//
//   node llamacpp_exact.mjs ORACLE_DIR FILE.gguf PROMPT [N_PREDICT]  ->  {"prompt_tokens": [...], "text": "..."}
import path from 'path';
import url from 'url';

const [dir, file, prompt, n] = process.argv.slice(2);
const entry = path.join(dir, 'node_modules', '@fugood', 'llama.node', 'lib', 'index.js');
const { loadModel } = await import(url.pathToFileURL(entry).href);
const ctx = await loadModel({
  model: file, n_ctx: 512, n_gpu_layers: 0, n_threads: 1, embedding: false,
  cache_type_k: 'f32', cache_type_v: 'f32', flash_attn_type: 'off',
});
const tk = await ctx.tokenize(prompt);
const r = await ctx.completion({ prompt, n_predict: Number(n ?? 32), temperature: 0, top_k: 1, seed: 0 });
console.log(JSON.stringify({ prompt_tokens: Array.from(tk.tokens), text: r.text }));
await ctx.release();
