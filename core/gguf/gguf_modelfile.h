#pragma once
// An Ollama Modelfile beside an exported GGUF, so that `ollama create NAME -f Modelfile` works:
//
//   FROM ./model.gguf                       (relative to the Modelfile: the two travel together)
//   TEMPLATE """..."""                      (Ollama's Go template for one turn)
//   SYSTEM """..."""                        (when the template has a default system prompt)
//   PARAMETER stop "<|im_end|>"             (one line per stop text)
//   PARAMETER temperature 0.7 ...
//
// Without a chat template (a base model with a sentencepiece vocabulary) the template is plain continuation:
// "{{ .System }}{{ .Prompt }}" with no markup.

#include <utility>
#include <vector>

#include <QString>
#include <QStringList>

namespace ft {

struct OllamaModelfile {
    QString from;         // the GGUF, as written after FROM
    QString templateText; // Go template
    QString system;       // default system prompt (empty: none)
    QStringList stops;
    std::vector<std::pair<QString, QString>> parameters; // name, value (besides stop)

    QString text() const;
};

// The template and stops for a model folder's Jinja chat template, when it is one Ollama's own templates cover
// (ChatML: <|im_start|>, Llama 3: <|start_header_id|>, Zephyr: <|user|>); empty when it is not recognised.
QString ollamaTemplateForJinja(const QString& jinja);

// The plain continuation template for models without a chat template.
QString ollamaPlainTemplate();

// Writes `modelfile.text()` to `path` (atomically). Throws ft::Error naming the path.
void writeOllamaModelfile(const QString& path, const OllamaModelfile& modelfile);

} // namespace ft
