#pragma once
// The detectors behind findPii(): one pattern per shape, each candidate confirmed by a check of its
// own (a checksum, a range, a randomness test) so that ordinary numbers and words are not flagged.

#include <set>
#include <vector>

#include <QString>

#include "data/pii.h"

namespace ft {

struct PiiCandidate {
    PiiType type = PiiType::Email;
    int start = 0;
    int length = 0;
};

// Every confirmed candidate of the given types, possibly overlapping, in no particular order.
std::vector<PiiCandidate> collectPiiCandidates(const QString& text, const std::set<PiiType>& types);

// The checks, exposed for tests.
bool luhnValid(const QString& digits); // digits only
bool ibanValid(const QString& iban);   // spaces allowed
bool ipv4Valid(const QString& address);
bool ipv6Valid(const QString& address);
bool usSsnValid(int area, int group, int serial);
bool looksRandom(const QString& value); // a secret, not a word or a placeholder

} // namespace ft
