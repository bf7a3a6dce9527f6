#include "data/pii_detectors.h"

#include <cmath>
#include <functional>

#include <QHash>
#include <QRegularExpression>

namespace ft {

namespace {

int digitCount(const QString& text)
{
    int n = 0;
    for (QChar c : text)
        n += c.isDigit() ? 1 : 0;
    return n;
}

QString digitsOnly(const QString& text)
{
    QString digits;
    for (QChar c : text)
        if (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            digits += c;
    return digits;
}

// The separators between digit groups, e.g. "  " for "4111 1111 1111 1111" has three spaces.
QString separatorsOf(const QString& text)
{
    QString separators;
    for (QChar c : text)
        if (!c.isDigit() && c != QLatin1Char('(') && c != QLatin1Char(')') && c != QLatin1Char('+'))
            separators += c;
    return separators;
}

bool allSame(const QString& text)
{
    for (QChar c : text)
        if (c != text.front())
            return false;
    return true;
}

bool cardPrefixPlausible(const QString& d)
{
    const int n = static_cast<int>(d.size());
    const int two = d.left(2).toInt();
    const int four = d.left(4).toInt();
    const int three = d.left(3).toInt();
    if (d.startsWith(QLatin1Char('4')))
        return n == 13 || n == 16 || n == 19; // Visa
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
        return n == 16; // Mastercard
    if (two == 34 || two == 37)
        return n == 15; // American Express
    if (d.startsWith(QLatin1String("6011")) || two == 65 || (three >= 644 && three <= 649) || two == 62 || two == 35)
        return n >= 16 && n <= 19; // Discover, UnionPay, JCB
    if (two == 36 || two == 38 || (three >= 300 && three <= 305))
        return n == 14 || n == 16; // Diners Club
    return false;
}

// IBAN lengths per country (SWIFT IBAN registry).
int ibanLength(const QString& country)
{
    static const QHash<QString, int> lengths = [] {
        QHash<QString, int> table;
        const char* entries =
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 "
            "FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 "
            "LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 "
            "SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20";
        for (const QString& entry : QString::fromLatin1(entries).split(QLatin1Char(' ')))
            table.insert(entry.left(2), entry.mid(2).toInt());
        return table;
    }();
    return lengths.value(country, 0);
}

bool phoneDigitsPlausible(const QString& text, int minDigits, int maxDigits)
{
    const int digits = digitCount(text);
    return digits >= minDigits && digits <= maxDigits;
}

struct Detector {
    PiiType type;
    QRegularExpression pattern;
    int group;                                   // the capture group that is the personal data (0: all of it)
    std::function<bool(const QString&)> confirm; // null: the pattern is enough
    char hint;                                   // a character the text must contain for the pattern to match (0: none)
};

const std::vector<Detector>& detectors()
{
    static const std::vector<Detector> all = [] {
        std::vector<Detector> d;
        auto add = [&](PiiType type, const char* pattern, int group, std::function<bool(const QString&)> confirm,
                       char hint, bool caseInsensitive = false) {
            QRegularExpression::PatternOptions options = QRegularExpression::NoPatternOption;
            if (caseInsensitive)
                options |= QRegularExpression::CaseInsensitiveOption;
            QRegularExpression re(QString::fromLatin1(pattern), options);
            Q_ASSERT_X(re.isValid(), "pii", pattern);
            re.optimize();
            d.push_back({type, re, group, std::move(confirm), hint});
        };
        // user:password@ in a URL: only the credentials are masked, the URL keeps its shape.
        add(PiiType::UrlCredentials, R"(\b[A-Za-z][A-Za-z0-9+.-]*://([^\s:/?#@]+:[^\s/?#@]+)@[A-Za-z0-9.\[\]-]+)", 1,
            {}, '@');
        add(PiiType::Email,
            R"((?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![A-Za-z0-9-]))",
            0, {}, '@');
        // API keys of well-known shapes.
        add(PiiType::ApiKey, R"(\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b)", 0, {}, 0);
        add(PiiType::ApiKey, R"(\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{22,}\b)", 0, {},
            '_');
        add(PiiType::ApiKey, R"(\bxox[abposr]-[A-Za-z0-9-]{10,})", 0, {}, '-');
        add(
            PiiType::ApiKey, R"(\bsk-(?:proj-|svcacct-|admin-)?([A-Za-z0-9_-]{20,}))", 0,
            [](const QString& key) {
                // Real keys mix upper case, lower case and digits; "sk-learn-..." does not.
                bool upper = false, lower = false, digit = false;
                for (QChar c : key.mid(3)) {
                    upper |= c.isUpper();
                    lower |= c.isLower();
                    digit |= c.isDigit();
                }
                return upper && lower && digit;
            },
            '-');
        add(PiiType::ApiKey, R"(\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-]))", 0, {}, 0);
        add(PiiType::ApiKey, R"(\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,})", 0, {}, '_');
        // "api_key = ..." and similar assignments of a long random value: the value is masked.
        add(PiiType::ApiKey,
            R"(\b(?:api[_-]?key|apikey|api[_-]?secret|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key|password|passwd|token)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-+/=.~]{16,}))",
            1, looksRandom, 0, true);
        // IBAN: country, check digits, then groups of four (spaces optional); mod-97 checked.
        add(PiiType::Iban, R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)", 0, ibanValid, 0);
        // Payment cards: 4-4-4-4(-3), 4-6-5/4-6-4, or 13-19 digits together; Luhn and issuer checked.
        add(
            PiiType::CreditCard,
            R"((?<![0-9])(?:[0-9]{4}([ -]?)[0-9]{4}\1[0-9]{4}\1[0-9]{4}(?:\1[0-9]{3})?|[0-9]{4}([ -]?)[0-9]{6}\2[0-9]{4,5}|[0-9]{13,19})(?![0-9]))",
            0,
            [](const QString& text) {
                const QString d = digitsOnly(text);
                return cardPrefixPlausible(d) && luhnValid(d);
            },
            0);
        // US social security numbers: AAA-GG-SSSS without the never-issued areas and groups.
        add(
            PiiType::UsSsn, R"((?<![0-9-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![0-9]|-[0-9]))", 0,
            [](const QString& text) {
                return usSsnValid(text.mid(0, 3).toInt(), text.mid(4, 2).toInt(), text.mid(7, 4).toInt());
            },
            '-');
        add(
            PiiType::UsSsn,
            R"(\b(?:ssn|social security(?: number)?)\b[^0-9\n]{0,15}([0-9]{3} ?[0-9]{2} ?[0-9]{4})(?![0-9]))", 1,
            [](const QString& text) {
                const QString d = digitsOnly(text);
                return usSsnValid(d.mid(0, 3).toInt(), d.mid(3, 2).toInt(), d.mid(5, 4).toInt());
            },
            0, true);
        // IP addresses.
        add(PiiType::IpAddress, R"((?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9]))", 0, ipv4Valid, '.');
        add(
            PiiType::IpAddress,
            R"((?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Za-z:]))",
            0,
            [](const QString& text) {
                if (!ipv6Valid(text))
                    return false;
                // "::1", "a::b": too little to be an address worth masking (and "a::b" is often code).
                int groups = 0;
                bool longGroup = false;
                for (const QString& group : text.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
                    ++groups;
                    longGroup |= group.size() >= 3;
                }
                return groups >= 3 || longGroup;
            },
            ':');
        // Phone numbers: international (+CC ...), North American (NXX) NXX-XXXX, European trunk-prefixed
        // (0AA BBB CCCC), and short local numbers right after a word such as "call" or "phone".
        add(
            PiiType::Phone,
            R"((?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){2,6}(?![0-9]))", 0,
            [](const QString& text) { return phoneDigitsPlausible(text, 8, 15); }, '+');
        add(PiiType::Phone,
            R"((?<![0-9A-Za-z+.,/-])(?:1[ .-])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-])[0-9]{3}[ .-][0-9]{4}(?![0-9A-Za-z]|[.,/-][0-9]))",
            0, {}, 0);
        add(
            PiiType::Phone,
            R"((?<![0-9A-Za-z+.,/:-])0[1-9][0-9]{0,3}(?:[ /-][0-9]{2,8}){1,4}(?![0-9A-Za-z]|[.,/:-][0-9]))", 0,
            [](const QString& text) {
                // One kind of separator (a slash may follow the area code), so that dates are not taken.
                QString separators = separatorsOf(text);
                if (separators.startsWith(QLatin1Char('/')) && separators.size() > 1)
                    separators.remove(0, 1);
                return phoneDigitsPlausible(text, 9, 12) && allSame(separators);
            },
            0);
        add(PiiType::Phone,
            R"(\b(?:phone|tel|telephone|call|mobile|cell|fax|ring)\b[^0-9\n]{0,20}?([0-9]{3}[-. ][0-9]{4})(?![0-9]|[-.][0-9]))",
            1, {}, 0, true);
        return d;
    }();
    return all;
}

} // namespace

bool luhnValid(const QString& digits)
{
    if (digits.isEmpty())
        return false;
    int sum = 0;
    bool doubleIt = false;
    for (qsizetype i = digits.size() - 1; i >= 0; --i) {
        int d = digits[i].digitValue();
        if (d < 0)
            return false;
        if (doubleIt) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        doubleIt = !doubleIt;
    }
    return sum % 10 == 0;
}

bool ibanValid(const QString& iban)
{
    QString compact = iban;
    compact.remove(QLatin1Char(' '));
    if (compact.size() < 15 || compact.size() > 34 || ibanLength(compact.left(2)) != compact.size())
        return false;
    // Move the country and check digits to the end, letters become 10..35, and the number mod 97 is 1.
    const QString rearranged = compact.mid(4) + compact.left(4);
    int remainder = 0;
    for (QChar c : rearranged) {
        int value;
        if (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            value = c.unicode() - '0';
        else if (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            value = c.unicode() - 'A' + 10;
        else
            return false;
        remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
    }
    return remainder == 1;
}

bool ipv4Valid(const QString& address)
{
    const QStringList octets = address.split(QLatin1Char('.'));
    if (octets.size() != 4)
        return false;
    for (const QString& octet : octets) {
        bool ok = false;
        const int value = octet.toInt(&ok);
        if (!ok || octet.isEmpty() || octet.size() > 3 || value > 255)
            return false;
    }
    return true;
}

bool ipv6Valid(const QString& address)
{
    if (address.contains(QLatin1String(":::")) || address.count(QLatin1String("::")) > 1)
        return false;
    const bool compressed = address.contains(QLatin1String("::"));
    QString text = address;
    int groups = 0;
    // An embedded IPv4 address at the end counts as two groups.
    const qsizetype lastColon = text.lastIndexOf(QLatin1Char(':'));
    if (text.indexOf(QLatin1Char('.'), lastColon) >= 0) {
        if (!ipv4Valid(text.mid(lastColon + 1)))
            return false;
        groups += 2;
        text = text.left(lastColon + 1);
        if (!text.endsWith(QLatin1String("::")))
            text.chop(1);
    }
    const QStringList halves = compressed ? text.split(QStringLiteral("::")) : QStringList{text};
    for (const QString& half : halves) {
        if (half.isEmpty())
            continue;
        for (const QString& group : half.split(QLatin1Char(':'))) {
            if (group.isEmpty() || group.size() > 4)
                return false;
            for (QChar c : group)
                if (!c.isDigit() && !(c.toLower() >= QLatin1Char('a') && c.toLower() <= QLatin1Char('f')))
                    return false;
            ++groups;
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

bool usSsnValid(int area, int group, int serial)
{
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool looksRandom(const QString& value)
{
    if (value.size() < 16)
        return false;
    bool letter = false, digit = false;
    QHash<QChar, int> counts;
    for (QChar c : value) {
        letter |= c.isLetter();
        digit |= c.isDigit();
        ++counts[c];
    }
    if (!letter || !digit)
        return false; // "YOUR_API_KEY_HERE", "tokenizer.encode"
    double entropy = 0.0;
    for (int count : counts) {
        const double p = static_cast<double>(count) / static_cast<double>(value.size());
        entropy -= p * std::log2(p);
    }
    return entropy >= 3.0; // bits per character; "abc123abc123abc123" has 2.6
}

std::vector<PiiCandidate> collectPiiCandidates(const QString& text, const std::set<PiiType>& types)
{
    std::vector<PiiCandidate> candidates;
    bool hasDigit = false;
    for (QChar c : text) {
        if (c.isDigit()) {
            hasDigit = true;
            break;
        }
    }
    for (const Detector& detector : detectors()) {
        if (!types.count(detector.type))
            continue;
        if (detector.hint != 0 && !text.contains(QLatin1Char(detector.hint)))
            continue;
        if (!hasDigit && detector.type != PiiType::Email && detector.type != PiiType::UrlCredentials &&
            detector.type != PiiType::ApiKey)
            continue;
        QRegularExpressionMatchIterator it = detector.pattern.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch match = it.next();
            const QString found = match.captured(detector.group);
            if (found.isEmpty())
                continue;
            if (detector.confirm && !detector.confirm(found))
                continue;
            candidates.push_back(
                {detector.type, static_cast<int>(match.capturedStart(detector.group)), static_cast<int>(found.size())});
        }
    }
    return candidates;
}

} // namespace ft
