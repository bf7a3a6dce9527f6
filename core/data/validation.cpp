#include "data/validation.h"

#include <QHash>

#include "data/dedup.h"
#include "data/example_encoder.h"
#include "data/pii.h"

namespace ft {

namespace {

QString piiDescription(PiiType type, int count)
{
    const char* one = "";
    const char* many = "";
    switch (type) {
    case PiiType::Email:
        one = "e-mail address", many = "e-mail addresses";
        break;
    case PiiType::Phone:
        one = "phone number", many = "phone numbers";
        break;
    case PiiType::CreditCard:
        one = "card number", many = "card numbers";
        break;
    case PiiType::IpAddress:
        one = "IP address", many = "IP addresses";
        break;
    case PiiType::Iban:
        one = "IBAN", many = "IBANs";
        break;
    case PiiType::UsSsn:
        one = "US social security number", many = "US social security numbers";
        break;
    case PiiType::ApiKey:
        one = "API key or secret", many = "API keys or secrets";
        break;
    case PiiType::UrlCredentials:
        one = "password in a URL", many = "passwords in URLs";
        break;
    }
    return QStringLiteral("%1 %2").arg(count).arg(QLatin1String(count == 1 ? one : many));
}

struct Field {
    const char* name;
    const QString* text;
};

std::vector<Field> fieldsOf(const ExampleRecord& example, std::vector<QString>* turnNames)
{
    std::vector<Field> fields{{"system prompt", &example.system},
                              {"instruction", &example.instruction},
                              {"input", &example.input},
                              {"response", &example.response},
                              {"rejected answer", &example.rejected}};
    for (size_t t = 0; t < example.turns.size(); ++t) {
        turnNames->push_back(QStringLiteral("turn %1").arg(t + 1));
        fields.push_back({nullptr, &example.turns[t].content});
    }
    return fields;
}

// Control characters other than tab, line feed and carriage return (Unicode category Cc).
QString controlCharacters(const ExampleRecord& example)
{
    std::vector<QString> turnNames;
    const std::vector<Field> fields = fieldsOf(example, &turnNames);
    int count = 0;
    QString first;
    size_t turn = 0;
    for (const Field& field : fields) {
        const QString where = field.name ? QLatin1String(field.name) : turnNames[turn++];
        for (QChar c : *field.text) {
            if (c.category() == QChar::Other_Control && c != QLatin1Char('\t') && c != QLatin1Char('\n') &&
                c != QLatin1Char('\r')) {
                if (count++ == 0)
                    first =
                        QStringLiteral("U+%1 in the %2")
                            .arg(QString::number(c.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')), where);
            }
        }
    }
    if (count == 0)
        return {};
    return count == 1 ? first : QStringLiteral("%1 control characters, the first %2").arg(count).arg(first);
}

} // namespace

QString issueKindName(IssueKind kind)
{
    switch (kind) {
    case IssueKind::EmptyInstruction:
        return QStringLiteral("empty-instruction");
    case IssueKind::EmptyResponse:
        return QStringLiteral("empty-response");
    case IssueKind::Duplicate:
        return QStringLiteral("duplicate");
    case IssueKind::TooLong:
        return QStringLiteral("too-long");
    case IssueKind::ControlCharacters:
        return QStringLiteral("control-characters");
    case IssueKind::Pii:
        return QStringLiteral("pii");
    }
    return {};
}

ValidationReport validateExamples(const std::vector<ExampleRecord>& examples, const ValidationSettings& settings,
                                  const ProgressCallback& progress)
{
    ValidationReport report;
    const int64_t count = static_cast<int64_t>(examples.size());
    const bool checkLength = settings.tokenizer && settings.promptTemplate && settings.maxTokens > 0;
    QHash<QString, int64_t> firstWithText;
    auto add = [&](int64_t index, IssueKind kind, const QString& detail) {
        report.findings.push_back({index, kind, detail});
        ++report.counts[kind];
    };
    for (int64_t i = 0; i < count; ++i) {
        if (i % 64 == 0 && !reportProgress(progress, i, count)) {
            report.cancelled = true;
            return report;
        }
        const ExampleRecord& example = examples[i];
        ++report.examples;
        if (example.isMultiTurn()) {
            for (size_t t = 0; t < example.turns.size(); ++t) {
                if (!example.turns[t].content.trimmed().isEmpty())
                    continue;
                const bool user = example.turns[t].role == ChatTurn::Role::User;
                add(i, user ? IssueKind::EmptyInstruction : IssueKind::EmptyResponse,
                    QStringLiteral("turn %1 (%2) is empty")
                        .arg(t + 1)
                        .arg(user ? QStringLiteral("user") : QStringLiteral("assistant")));
            }
        } else {
            if (example.instruction.trimmed().isEmpty() && !settings.allowEmptyInstruction)
                add(i, IssueKind::EmptyInstruction,
                    example.input.trimmed().isEmpty() ? QStringLiteral("no instruction")
                                                      : QStringLiteral("no instruction (only an input)"));
            if (example.response.trimmed().isEmpty())
                add(i, IssueKind::EmptyResponse, QStringLiteral("no response"));
        }
        if (settings.checkDuplicates) {
            const QString text = normalizedExampleText(example);
            const auto it = firstWithText.constFind(text);
            if (it == firstWithText.constEnd())
                firstWithText.insert(text, i);
            else
                add(i, IssueKind::Duplicate, QStringLiteral("duplicate of #%1").arg(*it));
        }
        if (checkLength) {
            const int64_t tokens = static_cast<int64_t>(
                encodeExample(*settings.tokenizer, *settings.promptTemplate, example, LossOn::Response, 0).ids.size());
            if (tokens > settings.maxTokens)
                add(i, IssueKind::TooLong, QStringLiteral("%1 tokens > %2").arg(tokens).arg(settings.maxTokens));
        }
        const QString control = controlCharacters(example);
        if (!control.isEmpty())
            add(i, IssueKind::ControlCharacters, control);
        if (settings.checkPii) {
            const PiiMaskResult pii = maskPii(example);
            if (pii.changed) {
                QStringList parts;
                for (const auto& [type, n] : pii.counts)
                    parts << piiDescription(type, n);
                add(i, IssueKind::Pii, parts.join(QStringLiteral(", ")));
            }
        }
    }
    reportProgress(progress, count, count);
    return report;
}

} // namespace ft
