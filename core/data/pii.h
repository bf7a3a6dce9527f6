#pragma once
// Personal and secret data in text, found and replaced by typed placeholders.

#include <map>
#include <set>
#include <vector>

#include <QString>

#include "data/example_record.h"

namespace ft {

enum class PiiType { Email, Phone, CreditCard, IpAddress, Iban, UsSsn, ApiKey, UrlCredentials };
QString piiTypeName(
    PiiType type); // "email", "phone", "credit-card", "ip-address", "iban", "us-ssn", "api-key", "url-credentials"
QString piiPlaceholder(PiiType type); // "[EMAIL]", "[PHONE]", "[CREDIT_CARD]", "[IP_ADDRESS]", "[IBAN]", "[SSN]",
                                      // "[API_KEY]", "[URL_CREDENTIALS]"
std::set<PiiType> allPiiTypes();

struct PiiMatch {
    PiiType type = PiiType::Email;
    int start = 0; // in UTF-16 code units of the QString
    int length = 0;
    QString text;
};

// Matches in text order, not overlapping. Credit cards are Luhn-checked, IBANs checked with their
// mod-97 checksum, IPv4 octets range-checked, so that ordinary numbers are not flagged.
std::vector<PiiMatch> findPii(const QString& text, const std::set<PiiType>& types = allPiiTypes());
QString maskPiiText(const QString& text, const std::set<PiiType>& types, std::map<PiiType, int>* counts = nullptr);

struct PiiMaskResult {
    ExampleRecord masked;
    std::map<PiiType, int> counts;
    bool changed = false;
};
PiiMaskResult maskPii(const ExampleRecord& example, const std::set<PiiType>& types = allPiiTypes());

} // namespace ft
