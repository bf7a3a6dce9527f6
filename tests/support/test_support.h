#pragma once
// Helpers every test uses: where the shared fixtures are, and how to skip (or, under CI, fail) when
// they are absent.

#include <QString>
#include <QTest>

namespace ft::test {

// $FT_SHARED_DIR, else the ../shared beside the source tree; empty when neither exists.
QString sharedDir();
QString sharedPath(const QString& relative); // sharedDir()/relative
bool sharedRequired();                       // $FT_REQUIRE_SHARED=1 (set by .ci/run)

// The ftstudio-cli built beside the tests ($FT_CLI, set by CTest).
QString cliPath();

} // namespace ft::test

// Skips the current test function when ../shared is absent; fails it instead under FT_REQUIRE_SHARED=1.
#define FT_REQUIRE_SHARED()                                                                                         \
    do {                                                                                                            \
        if (ft::test::sharedDir().isEmpty()) {                                                                      \
            if (ft::test::sharedRequired())                                                                         \
                QFAIL("../shared is required (FT_REQUIRE_SHARED=1) but neither $FT_SHARED_DIR nor ../shared exists"); \
            QSKIP("../shared not found (set FT_SHARED_DIR): skipping the checks against reference fixtures");       \
        }                                                                                                           \
    } while (false)
