#pragma once
// Where the studio finds ftstudio-cli, the program it runs as its training and generation worker.

#include <QString>
#include <QStringList>

namespace ft {

// The first of, in order:
//   1. $FT_CLI (a path to the program);
//   2. ftstudio-cli beside the running executable (an installed or a packaged studio);
//   3. ../cli/ftstudio-cli from the running executable's folder (the build tree: build/app/gui -> build/app/cli);
//   4. the path the build tree compiled in (FT_BUILD_CLI_PATH), for tests and programs built elsewhere in it;
//   5. ftstudio-cli on $PATH.
// Returns an empty string when none exists; `searched` receives every place looked at, for the message.
QString findCli(QStringList* searched = nullptr);

// findCli(), or throws ft::Error naming every place searched.
QString requireCli();

} // namespace ft
