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

// A tiny random model (`ftstudio-cli model new --preset tiny`) in `folder`; empty on failure
// (the CLI's stderr goes to *error).
QString makeTinyModel(const QString& folder, QString* error = nullptr);
// `ftstudio-cli model new --preset PRESET FOLDER` (extra arguments after); the folder, or empty with *error.
QString makeStarterModel(const QString& folder, const QString& preset, QString* error = nullptr,
                         const QStringList& extraArguments = {});
// The first `count` records of the project's sample dataset (repeated when count is larger), as JSONL.
QString writeSampleJsonl(const QString& path, int count);
// An executable shell script at `path` with `body` (a fake worker for the process tests).
QString writeScript(const QString& path, const QByteArray& body);

} // namespace ft::test

// Skips the current test function when ../shared is absent; fails it instead under FT_REQUIRE_SHARED=1.
#define FT_REQUIRE_SHARED()                                                                                            \
    do {                                                                                                               \
        if (ft::test::sharedDir().isEmpty()) {                                                                         \
            if (ft::test::sharedRequired())                                                                            \
                QFAIL("../shared is required (FT_REQUIRE_SHARED=1) but neither $FT_SHARED_DIR nor ../shared exists");  \
            QSKIP("../shared not found (set FT_SHARED_DIR): skipping the checks against reference fixtures");          \
        }                                                                                                              \
    } while (false)
