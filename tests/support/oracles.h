#pragma once
// Where the node oracles of ../shared/tools/oracles live (Hugging Face tokenizers, Jinja, a GGUF reader,
// llama.cpp). Tests skip with the reason where node or an oracle is missing, and fail instead under
// FT_REQUIRE_ORACLES=1.

#include <QString>
#include <QStringList>

namespace ft::test {

bool oraclesRequired();

// $FT_ORACLES_DIR, else the folder ../shared/tools/oracles/install prints (run at most once per test
// program), when it holds every path of `needed` (relative to it); empty, with the reason in *why,
// when node or one of them is not there.
QString oraclesDir(const QStringList& needed, QString* why);

} // namespace ft::test
