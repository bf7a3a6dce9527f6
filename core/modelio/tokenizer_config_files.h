#pragma once
// The files beside a model's tokenizer that say which tokens are special: tokenizer_config.json
// (bos_token / eos_token / pad_token as strings or {"content": ...}, add_bos_token, add_eos_token),
// special_tokens_map.json, and generation_config.json (eos_token_id as an id or a list of ids).

#include <cstdint>
#include <optional>
#include <vector>

#include <QDir>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace ft {

struct TokenizerConfigFiles {
    QJsonObject tokenizerConfig; // empty when the file is absent
    QJsonObject specialTokensMap;
    std::vector<int64_t> generationEosIds; // generation_config.json eos_token_id, in its order
    int64_t generationBosId = -1;
    int64_t generationPadId = -1;

    // Reads whichever of the three files `folder` holds; malformed files throw ft::Error naming the
    // file (and the key).
    static TokenizerConfigFiles read(const QDir& folder);

    // "bos_token": "<s>" or {"content": "<s>", ...}: the texts tokenizer_config.json and then
    // special_tokens_map.json give (absent, null and empty ones left out).
    QStringList tokenTexts(const QString& key) const;
    // add_bos_token / add_eos_token when tokenizer_config.json says.
    std::optional<bool> flag(const QString& key) const;
};

} // namespace ft
