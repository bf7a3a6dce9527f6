#pragma once
// Checking that bytes are well-formed UTF-8 before they are decoded, so that an error can name the
// line and the byte instead of silently replacing characters.

#include <QtGlobal>

namespace ft {

// The offset of the first byte that does not start or continue a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are ill-formed), or -1 when all of it is valid.
qsizetype invalidUtf8Offset(const char* data, qsizetype size);

} // namespace ft
