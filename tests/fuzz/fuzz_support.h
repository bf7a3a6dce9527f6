#pragma once
// What every fuzz target shares: the input as a file where the parser reads files, and the rule
// that a clean ft::Error is the expected answer to bad input. Any other exception escapes and
// libFuzzer reports it (an uncaught exception aborts), as it reports crashes, sanitizer findings,
// timeouts and memory blow-ups.

#include <cstddef>
#include <cstdint>
#include <functional>

#include <QByteArray>
#include <QString>

#include "common/error.h"

namespace ft::fuzz {

// Writes the bytes to a file in this process's scratch folder (the same name each time) and
// returns its path; `name` may carry the extension a reader expects.
QString writeInput(const uint8_t* data, size_t size, const QString& name);

// Runs `body`; an ft::Error is a correct refusal and is swallowed.
inline void refusalsAreFine(const std::function<void()>& body)
{
    try {
        body();
    } catch (const ft::Error&) {
    }
}

inline QByteArray bytes(const uint8_t* data, size_t size)
{
    return QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
}

} // namespace ft::fuzz
