#pragma once
// What a Hugging Face model folder holds, read without loading any weights: its configuration, its
// weight files (single or sharded), and its tokenizer. Used by `ftstudio-cli info` and the model picker.

#include <map>

#include <QString>
#include <QStringList>

#include "modelio/model_config.h"

namespace ft {

struct ModelFolder {
    QString path;
    ModelConfig config;
    QStringList weightFiles;              // absolute paths, in shard order
    std::map<QString, QString> weightMap; // tensor name -> file (sharded checkpoints only)
    bool sharded = false;
    qint64 weightBytes = 0;
    QString tokenizerPath; // tokenizer.json, else tokenizer.model; empty when the folder has neither
    QStringList files;     // every file name in the folder

    // Reads config.json and the safetensors index (if any); throws ft::Error naming what is missing.
    // Pickle checkpoints (pytorch_model.bin) are refused: only safetensors is ever loaded.
    static ModelFolder inspect(const QString& folder);
};

// Files copied from a base model folder into every folder the studio writes from it.
QStringList tokenizerSideFiles();

} // namespace ft
