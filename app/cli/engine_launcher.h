#pragma once
// Handing an engine command to ftstudio-engine: the program that links LibTorch. ftstudio-cli execs it
// with the same arguments before it starts Qt, so the process (its pid, stdin, stdout, signals) stays
// the one the caller started, and commands that need no LibTorch never load it.
//
// The engine is looked for in $FT_ENGINE, beside this program (the build tree), in the installed
// library folder relative to this program (../lib/<multiarch>/ftstudio/, an unpacked package), and in
// the installed library folder.

#include <string>

namespace ft::cli {

// The engine's path, or empty when none of the places has an executable one.
std::string findEngine();

// Replaces this process by the engine with argv (argv[0] becomes the engine's path), after setting
// OMP_WAIT_POLICY=PASSIVE unless it is set (libgomp reads it only when it loads). Returns only on
// failure, with the exit status to use after the message on stderr.
int execEngine(char* argv[]);

} // namespace ft::cli
