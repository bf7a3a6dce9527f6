#include "data/pii.h"

#include <algorithm>

#include "data/pii_detectors.h"

namespace ft {

namespace {

struct PiiInfo {
    PiiType type;
    const char* name;
    const char* placeholder;
};
// In order of precedence when two findings overlap: credentials in a URL before the e-mail address
// its "password@host" resembles, keys before everything, cards before phone numbers.
constexpr PiiInfo kPii[] = {
    {PiiType::UrlCredentials, "url-credentials", "[URL_CREDENTIALS]"},
    {PiiType::ApiKey, "api-key", "[API_KEY]"},
    {PiiType::Email, "email", "[EMAIL]"},
    {PiiType::Iban, "iban", "[IBAN]"},
    {PiiType::CreditCard, "credit-card", "[CREDIT_CARD]"},
    {PiiType::UsSsn, "us-ssn", "[SSN]"},
    {PiiType::IpAddress, "ip-address", "[IP_ADDRESS]"},
    {PiiType::Phone, "phone", "[PHONE]"},
};

int precedence(PiiType type)
{
    for (int i = 0; i < static_cast<int>(std::size(kPii)); ++i)
        if (kPii[i].type == type)
            return i;
    return static_cast<int>(std::size(kPii));
}

} // namespace

QString piiTypeName(PiiType type) { return QString::fromLatin1(kPii[precedence(type)].name); }
QString piiPlaceholder(PiiType type) { return QString::fromLatin1(kPii[precedence(type)].placeholder); }

std::set<PiiType> allPiiTypes()
{
    std::set<PiiType> types;
    for (const PiiInfo& info : kPii)
        types.insert(info.type);
    return types;
}

std::vector<PiiMatch> findPii(const QString& text, const std::set<PiiType>& types)
{
    std::vector<PiiCandidate> candidates = collectPiiCandidates(text, types);
    // Higher precedence first, then earlier, then longer; keep each that overlaps nothing kept.
    std::sort(candidates.begin(), candidates.end(), [](const PiiCandidate& a, const PiiCandidate& b) {
        if (precedence(a.type) != precedence(b.type))
            return precedence(a.type) < precedence(b.type);
        if (a.start != b.start)
            return a.start < b.start;
        return a.length > b.length;
    });
    std::vector<PiiMatch> kept;
    for (const PiiCandidate& c : candidates) {
        const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const PiiMatch& m) {
            return c.start < m.start + m.length && m.start < c.start + c.length;
        });
        if (!overlaps)
            kept.push_back({c.type, c.start, c.length, text.mid(c.start, c.length)});
    }
    std::sort(kept.begin(), kept.end(), [](const PiiMatch& a, const PiiMatch& b) { return a.start < b.start; });
    return kept;
}

QString maskPiiText(const QString& text, const std::set<PiiType>& types, std::map<PiiType, int>* counts)
{
    const std::vector<PiiMatch> matches = findPii(text, types);
    if (matches.empty())
        return text;
    QString masked;
    masked.reserve(text.size());
    int position = 0;
    for (const PiiMatch& match : matches) {
        masked += QStringView(text).mid(position, match.start - position);
        masked += piiPlaceholder(match.type);
        position = match.start + match.length;
        if (counts)
            ++(*counts)[match.type];
    }
    masked += QStringView(text).mid(position);
    return masked;
}

PiiMaskResult maskPii(const ExampleRecord& example, const std::set<PiiType>& types)
{
    PiiMaskResult result;
    result.masked = example;
    ExampleRecord& r = result.masked;
    for (QString* field : {&r.system, &r.instruction, &r.input, &r.response, &r.rejected})
        *field = maskPiiText(*field, types, &result.counts);
    for (ChatTurn& turn : r.turns)
        turn.content = maskPiiText(turn.content, types, &result.counts);
    result.changed = !result.counts.empty();
    return result;
}

} // namespace ft
