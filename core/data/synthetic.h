#pragma once
// Synthetic expansion: a template with {slots} and value lists, e.g. "Translate {word} to {language}"
// with word = [cat, dog] and language = [French, German], becomes every combination.

#include <map>
#include <vector>

#include <QString>
#include <QStringList>

#include "data/example_record.h"

namespace ft {

struct SyntheticTemplate {
    QString instruction;
    QString input;
    QString response; // may be empty: fill it later by generating with a model
    // Named slotValues, not "slots": Qt defines `slots` as a macro, so a member of that name cannot compile.
    std::map<QString, QStringList> slotValues;
};

// Every combination of slot values, in a stable order, at most `limit` (0: no limit). A {slot} used
// in the text but given no values, or a slot given values but never used, is an error naming it.
std::vector<ExampleRecord> expandSyntheticTemplate(const SyntheticTemplate& synthetic, int64_t limit = 0);

// Reads {"instruction", "input"?, "response"?, "slots": {name: [values]}} from a JSON file.
SyntheticTemplate readSyntheticTemplate(const QString& path);

} // namespace ft
