#pragma once
// The formatted prompt of an example as rich text, the part that carries the loss in instruction
// tuning (the response and its end-of-sequence mark) highlighted: the Train page's template preview
// and the Datasets page's editor show it the same way.

#include <QString>

#include "data/example_record.h"
#include "data/prompt_template.h"

namespace ft::ui {

QString promptPreviewHtml(const PromptTemplate& format, const ExampleRecord& record);

} // namespace ft::ui
