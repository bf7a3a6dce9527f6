#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (tests/fuzz), made from the real files in ../shared.

Usage: make_seeds.py SHARED_DIR OUT_DIR
Writes OUT_DIR/<target>/seed-* files. Large real files are cut down to what a fuzzer can mutate
quickly (a tokenizer.json keeps its first few hundred tokens and the merges among them), so that
the fuzzer starts from inputs that reach deep into each parser.
"""
import csv
import io
import json
import os
import struct
import sys

shared, out = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


def shared_path(*parts):
    return os.path.join(shared, *parts)


# safetensors: 8 bytes of the data section's size, then the header JSON.
for name, path in [("reference", shared_path("fixtures", "stories260K", "reference.safetensors")),
                   ("stories260K", shared_path("fixtures", "stories260K", "hf", "model.safetensors"))]:
    blob = open(path, "rb").read()
    (length,) = struct.unpack("<Q", blob[:8])
    put("fuzz_safetensors_header", name, struct.pack("<Q", len(blob) - 8 - length) + blob[8:8 + length])

# config.json, as it is and with each kind of rope_scaling and a Qwen3 architecture.
config = json.load(open(shared_path("fixtures", "stories260K", "hf", "config.json")))
put("fuzz_model_config", "stories260K", json.dumps(config, indent=2))
for kind, scaling in [("linear", {"rope_type": "linear", "factor": 2.0}),
                      ("llama3", {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}),
                      ("dynamic", {"type": "dynamic", "factor": 2.0})]:
    put("fuzz_model_config", "rope-" + kind, json.dumps(dict(config, rope_scaling=scaling)))
put("fuzz_model_config", "qwen3", json.dumps(dict(config, architectures=["Qwen3ForCausalLM"], model_type="qwen3",
                                                  head_dim=16, tie_word_embeddings=True)))

# llama2.c: the real checkpoint (the fuzzer cuts it to its length limit) and its header alone.
binary = open(shared_path("fixtures", "stories260K", "stories260K.bin"), "rb").read()
put("fuzz_llama2c_header", "stories260K", binary[:4096])
put("fuzz_llama2c_header", "header", binary[:28])

# Datasets: real records in every format; the first byte picks the reader (tests/fuzz/fuzz_dataset_reader.cpp).
formats = ["studio", "alpaca", "dolly", "sharegpt", "openai", "csv", "tsv", "text", "detected"]
alpaca = json.load(open(shared_path("datasets", "alpaca_en_demo.json")))[:3]
sharegpt = open(shared_path("datasets", "chat_tiny_sharegpt.json"), "rb").read()
glaive = json.load(open(shared_path("datasets", "glaive_toolcall_sharegpt.json")))[:2]
text = open(shared_path("datasets", "wiki_demo.txt"), "rb").read()[:2048]


def with_format(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return bytes([formats.index(name)]) + data


def jsonl(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def table(records, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["instruction", "input", "output"])
    for r in records:
        writer.writerow([r["instruction"], r.get("input", ""), r["output"]])
    return buffer.getvalue()


studio = [{"instruction": r["instruction"], "input": r.get("input", ""), "response": r["output"],
           "tags": ["demo"]} for r in alpaca]
dolly = [{"instruction": r["instruction"], "context": r.get("input", ""), "response": r["output"],
          "category": "open_qa"} for r in alpaca]
openai = [{"messages": [{"role": "user", "content": r["instruction"]},
                        {"role": "assistant", "content": [{"type": "text", "text": r["output"]}]}]}
          for r in alpaca]
put("fuzz_dataset_reader", "studio", with_format("studio", jsonl(studio)))
put("fuzz_dataset_reader", "alpaca-array", with_format("alpaca", json.dumps(alpaca, indent=1, ensure_ascii=False)))
put("fuzz_dataset_reader", "alpaca-lines", with_format("alpaca", jsonl(alpaca)))
put("fuzz_dataset_reader", "dolly", with_format("dolly", jsonl(dolly)))
put("fuzz_dataset_reader", "sharegpt", with_format("sharegpt", sharegpt))
put("fuzz_dataset_reader", "glaive", with_format("sharegpt", json.dumps(glaive, ensure_ascii=False)))
put("fuzz_dataset_reader", "openai", with_format("openai", jsonl(openai)))
put("fuzz_dataset_reader", "csv", with_format("csv", table(alpaca, ",")))
put("fuzz_dataset_reader", "tsv", with_format("tsv", table(alpaca, "\t")))
put("fuzz_dataset_reader", "text", with_format("text", text))
put("fuzz_dataset_reader", "detected", with_format("detected", json.dumps(alpaca, ensure_ascii=False)))

# sweep.json: a sweep as SweepRecord writes it, midway (trials done, running, pending), and a fresh one.
def sweep(trials):
    return json.dumps({
        "spec": {"name": "rates", "method": "grid", "max_trials": 0, "seed": "42", "steps_per_trial": 6,
                 "objective": "val_loss", "pruning": "median",
                 "parameters": [{"key": "learning_rate", "values": [0.003, 1e-06]},
                                {"key": "lora_rank", "values": [4, 8]}]},
        "base": {"mode": "instruction", "model": "/models/stories260K", "train_file": "train.jsonl",
                 "max_length": 128, "eval_every": 3, "learning_rate": 0.0002},
        "runs_dir": "/ws/runs",
        "data": {"dataset_id": 0, "dataset_name": "", "train_split": "train", "val_split": "val", "workspace": ""},
        "trials": trials,
        "best_trial": 1,
    }).encode()


put("fuzz_sweep_record", "midway", sweep([
    {"index": 1, "settings": {"learning_rate": 0.003, "lora_rank": 4}, "status": "finished",
     "run_dir": "/ws/runs/a", "message": "", "val_losses": {"3": 3.61, "6": 3.52}, "objective": 3.52, "best_step": 6},
    {"index": 2, "settings": {"learning_rate": 0.003, "lora_rank": 8}, "status": "pruned", "run_dir": "/ws/runs/b",
     "message": "stopped at step 3", "val_losses": {"3": 3.9}, "objective": 3.9, "best_step": 3},
    {"index": 3, "settings": {"learning_rate": 1e-06, "lora_rank": 4}, "status": "running", "run_dir": "/ws/runs/c",
     "message": "", "val_losses": {}},
    {"index": 4, "settings": {"learning_rate": 1e-06, "lora_rank": 8}, "status": "pending", "run_dir": "",
     "message": "", "val_losses": {}},
]))
put("fuzz_sweep_record", "fresh", sweep([
    {"index": 1, "settings": {"learning_rate": 0.003}, "status": "pending", "run_dir": "", "message": "",
     "val_losses": {}},
]))

# Event lines: a real run's stream (tests/fuzz/seeds/event_lines.jsonl), one line per seed.
for i, line in enumerate(open(os.path.join(here, "seeds", "event_lines.jsonl"), "rb").read().splitlines()):
    put("fuzz_event_line", "%02d" % i, line)


# tokenizer.json: each real one with its first 300 tokens, its added tokens and the merges among them.
def small_tokenizer(path, keep=300):
    tokenizer = json.load(open(path, encoding="utf-8"))
    model = tokenizer["model"]
    vocab = {token: i for token, i in model["vocab"].items() if i < keep}
    merges = []
    for merge in model.get("merges", []):
        left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
        if left in vocab and right in vocab and left + right in vocab:
            merges.append(merge)
    model["vocab"], model["merges"] = vocab, merges
    tokenizer["added_tokens"] = [t for t in tokenizer.get("added_tokens", [])][:8]
    for t in tokenizer["added_tokens"]:
        t["id"] = keep + tokenizer["added_tokens"].index(t)
    return json.dumps(tokenizer, ensure_ascii=False)


for name in ["llama2-tokenizer-json", "llama3", "qwen3"]:
    put("fuzz_tokenizer_json", name, small_tokenizer(shared_path("fixtures", "tokenizers", name, "tokenizer.json")))

# Chat templates: each model's own (those its tokenizer_config.json holds).
for name in ["llama2-tokenizer-json", "llama3", "qwen3"]:
    config = json.load(open(shared_path("fixtures", "tokenizers", name, "tokenizer_config.json"), encoding="utf-8"))
    template = config.get("chat_template")
    if isinstance(template, list):
        template = template[0]["template"]
    if template:
        put("fuzz_chat_template", name, template)

# GGUF: a small valid file (version 3, metadata of each value type, two F32 tensors), written by hand.
def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_file():
    kv = [("general.architecture", 8, gguf_string("llama")),
          ("general.alignment", 4, struct.pack("<I", 32)),
          ("llama.block_count", 4, struct.pack("<I", 1)),
          ("llama.rope.freq_base", 6, struct.pack("<f", 10000.0)),
          ("tokenizer.ggml.add_bos_token", 7, struct.pack("<?", True)),
          ("tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, 3) + gguf_string("<s>") + gguf_string("a")
           + gguf_string("b")),
          ("tokenizer.ggml.scores", 9, struct.pack("<IQ", 6, 3) + struct.pack("<3f", 0.0, -1.0, -2.0))]
    tensors = [("token_embd.weight", [4, 3]), ("output_norm.weight", [4])]
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv))
    for key, kind, value in kv:
        head += gguf_string(key) + struct.pack("<I", kind) + value
    offset = 0
    data = b""
    for name, dims in tensors:
        head += gguf_string(name) + struct.pack("<I", len(dims)) + struct.pack("<%dQ" % len(dims), *dims)
        head += struct.pack("<IQ", 0, offset)
        count = 1
        for d in dims:
            count *= d
        blob = struct.pack("<%df" % count, *[0.5 * i for i in range(count)])
        blob += b"\0" * (-len(blob) % 32)
        data += blob
        offset += len(blob)
    head += b"\0" * (-len(head) % 32)
    return head + data


put("fuzz_gguf_reader", "small", gguf_file())
