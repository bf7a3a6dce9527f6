#pragma once
// Generation metrics against references: BLEU as NLTK computes it on whitespace tokens, ROUGE-L F1 as
// Google's rouge-score computes it, exact match and token F1 with SQuAD's normalisation.

#include <vector>

#include <QString>
#include <QStringList>

namespace ft {

enum class BleuSmoothing { None, Method1 }; // NLTK SmoothingFunction().method1: epsilon 0.1 for zero counts

// Corpus BLEU-4 with uniform weights and the brevity penalty over the whole corpus (NLTK corpus_bleu).
double corpusBleu(const std::vector<QString>& hypotheses, const std::vector<QString>& references,
                  BleuSmoothing smoothing = BleuSmoothing::None);
double sentenceBleu(const QString& hypothesis, const QString& reference,
                    BleuSmoothing smoothing = BleuSmoothing::Method1);

// rouge-score's tokenizer: lower-case, every run of characters outside [a-z0-9] separates tokens.
QStringList rougeTokens(const QString& text);
double rougeLF1(const QString& hypothesis, const QString& reference);

// SQuAD normalisation: lower-case, punctuation and the articles a/an/the removed, whitespace collapsed.
QString squadNormalize(const QString& text);
bool exactMatch(const QString& hypothesis, const QString& reference);
double tokenF1(const QString& hypothesis, const QString& reference);

} // namespace ft
