#!/usr/bin/python3
"""The eager PyTorch reference for `ftstudio-engine bench train`: the same Llama shape, the same step
(forward, mean cross-entropy over every token, backward, gradient clipping at 1.0, AdamW), on random
tokens, in plain eager PyTorch as a Python user would write it. Written for this benchmark.

Prints one JSON object: tokens_per_second (median step), ms_per_step_median, phase_ms_median, and the
shape. Needs Debian's python3-torch (apt-get install python3-torch)."""

import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The presets of `ftstudio-cli model new --preset` that this script mirrors (core/engine/starter_model.cpp).
SHAPES = {
    "tiny": dict(dim=64, layers=4, heads=4, kv_heads=2, hidden=176, vocab=512, tied=True),
    "stories15m": dict(dim=288, layers=6, heads=6, kv_heads=6, hidden=768, vocab=32000, tied=True),
}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotary_tables(head_dim, length, theta=10000.0):
    # cos and sin (T, head_dim / 2) for rotating the two halves of each head (Hugging Face's order).
    inverse = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angles = torch.outer(torch.arange(length).float(), inverse)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    # x (B, H, T, D): the first half pairs with the second.
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos - b * sin, a * sin + b * cos), dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.q_proj = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, dim, bias=False)

    def forward(self, x, cos, sin, causal):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        if self.kv_heads != self.heads:
            k = k.repeat_interleave(self.heads // self.kv_heads, dim=1)
            v = v.repeat_interleave(self.heads // self.kv_heads, dim=1)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~causal, float("-inf"))
        out = F.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(B, T, -1))


class Block(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.input_layernorm = RMSNorm(s["dim"])
        self.self_attn = Attention(s["dim"], s["heads"], s["kv_heads"])
        self.post_attention_layernorm = RMSNorm(s["dim"])
        self.gate_proj = nn.Linear(s["dim"], s["hidden"], bias=False)
        self.up_proj = nn.Linear(s["dim"], s["hidden"], bias=False)
        self.down_proj = nn.Linear(s["hidden"], s["dim"], bias=False)

    def forward(self, x, cos, sin, causal):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, causal)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.embed_tokens = nn.Embedding(s["vocab"], s["dim"])
        self.layers = nn.ModuleList(Block(s) for _ in range(s["layers"]))
        self.norm = RMSNorm(s["dim"])
        self.lm_head = nn.Linear(s["dim"], s["vocab"], bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)
        if s["tied"]:  # the output head is the embedding table, as in the preset
            self.lm_head.weight = self.embed_tokens.weight

    def forward(self, tokens, cos, sin, causal):
        x = self.embed_tokens(tokens)
        for layer in self.layers:
            x = layer(x, cos, sin, causal)
        return self.lm_head(self.norm(x))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="stories15m", choices=sorted(SHAPES))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    shape = SHAPES[args.preset]
    model = Llama(shape)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    cos, sin = rotary_tables(shape["dim"] // shape["heads"], args.seq)
    causal = torch.ones(args.seq, args.seq, dtype=torch.bool).tril()
    tokens = torch.randint(0, shape["vocab"], (args.batch, args.seq + 1))
    inputs, targets = tokens[:, :-1], tokens[:, 1:]

    phases = {"forward": [], "head_and_loss": [], "backward": [], "clip_and_optimizer": []}
    steps = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        x = model.embed_tokens(inputs)
        for layer in model.layers:
            x = layer(x, cos, sin, causal)
        hidden = model.norm(x)
        forward_done = time.perf_counter()
        loss = F.cross_entropy(model.lm_head(hidden).view(-1, shape["vocab"]), targets.reshape(-1))
        loss_done = time.perf_counter()
        loss.backward()
        backward_done = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        end = time.perf_counter()
        if step >= args.warmup:
            steps.append(end - start)
            phases["forward"].append(forward_done - start)
            phases["head_and_loss"].append(loss_done - forward_done)
            phases["backward"].append(backward_done - loss_done)
            phases["clip_and_optimizer"].append(end - backward_done)

    median = statistics.median(steps)
    print(json.dumps({
        "implementation": "pytorch-eager",
        "torch": torch.__version__,
        "shape": args.preset,
        "batch": args.batch,
        "seq": args.seq,
        "threads": args.threads,
        "steps": args.steps,
        "parameters": sum(p.numel() for p in model.parameters()),
        "tokens_per_second": args.batch * args.seq / median,
        "ms_per_step_median": median * 1000,
        "phase_ms_median": {k: statistics.median(v) * 1000 for k, v in phases.items()},
        "final_loss": loss.item(),
    }))


if __name__ == "__main__":
    main()
