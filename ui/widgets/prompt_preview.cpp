#include "widgets/prompt_preview.h"

namespace ft::ui {

QString promptPreviewHtml(const PromptTemplate& format, const ExampleRecord& record)
{
    QString html = QStringLiteral("<pre style='white-space: pre-wrap'>");
    for (const TemplateSegment& segment : format.render(record)) {
        QString text;
        switch (segment.kind) {
        case TemplateSegment::Kind::Bos:
            text = QStringLiteral("<s>");
            break;
        case TemplateSegment::Kind::Eos:
            text = QStringLiteral("</s>");
            break;
        default:
            text = segment.text;
            break;
        }
        text = text.toHtmlEscaped();
        if (segment.kind == TemplateSegment::Kind::Response || segment.kind == TemplateSegment::Kind::Eos)
            html += QStringLiteral("<span style='background-color:rgba(39,174,96,0.30)'>%1</span>").arg(text);
        else
            html += text;
    }
    return html + QStringLiteral("</pre>");
}

} // namespace ft::ui
