#pragma once
// A model's identity: a SHA-256 that changes when its weights, configuration or tokenizer change and
// stays the same for a copy of the same files in another folder. Base-model evaluations are cached
// under it, and runs record their base model's.
//
// What is hashed: config.json, model.safetensors.index.json (sharded models) and tokenizer.model, then
// every weight file's name and size and its bytes: all of them when the weights total at most
// kFullHashLimit bytes, else 16 evenly spaced 1 MiB windows of each file (so that a 14 GB model is
// identified in milliseconds; two models that differ only outside every window would collide). A
// llama2.c .bin file is hashed the same way, as its own single weight file.

#include <QString>

namespace ft {

constexpr qint64 kFullHashLimit = 512LL * 1024 * 1024;

// Throws ft::Error when `path` is neither a model folder nor a file. `fullHashLimit`: see above (tests
// lower it to exercise the windows).
QString modelIdentity(const QString& path, qint64 fullHashLimit = kFullHashLimit);

} // namespace ft
