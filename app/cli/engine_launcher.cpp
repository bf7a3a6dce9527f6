#include "engine_launcher.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <unistd.h>

#include "common/stop_signals.h"

namespace ft::cli {

namespace {

bool isExecutable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

std::string ownFolder()
{
    char buffer[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (length <= 0)
        return {};
    const std::string self(buffer, static_cast<size_t>(length));
    return self.substr(0, self.rfind('/'));
}

} // namespace

std::string findEngine()
{
    if (const char* fromEnv = std::getenv("FT_ENGINE"); fromEnv && *fromEnv)
        return isExecutable(fromEnv) ? std::string(fromEnv) : std::string();
    const std::string folder = ownFolder();
    const std::vector<std::string> candidates = {
        folder + "/ftstudio-engine",
        folder + "/../engine/ftstudio-engine", // the build tree: app/cli and app/engine
        folder + "/../" FT_INSTALL_LIBDIR "/ftstudio/ftstudio-engine",
        FT_ENGINE_INSTALL_PATH,
    };
    for (const std::string& candidate : candidates)
        if (isExecutable(candidate))
            return candidate;
    return {};
}

int execEngine(char* argv[])
{
    const std::string engine = findEngine();
    if (engine.empty()) {
        std::fprintf(stderr,
                     "error: %s needs ftstudio-engine, which was not found ($FT_ENGINE, beside ftstudio-cli, or %s)\n",
                     argv[1], FT_ENGINE_INSTALL_PATH);
        return 1;
    }
    if (!std::getenv("OMP_WAIT_POLICY"))
        ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    // A stop signal sent while the engine loads LibTorch is held until the engine can act on it
    // (app/engine/worker_control.h): the blocked mask survives exec, and comes back if exec fails.
    const StopSignalsBlocked heldForTheEngine;
    std::vector<char*> arguments;
    arguments.push_back(const_cast<char*>(engine.c_str()));
    for (int i = 1; argv[i]; ++i)
        arguments.push_back(argv[i]);
    arguments.push_back(nullptr);
    ::execv(engine.c_str(), arguments.data());
    std::fprintf(stderr, "error: cannot start %s: %s\n", engine.c_str(), std::strerror(errno));
    return 1;
}

} // namespace ft::cli
