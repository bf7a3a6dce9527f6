#pragma once
// `ftstudio-cli train --nproc N`: starts N local ranks of the same training command with the
// variables torchrun would set, relays stdin commands and signals to every rank, passes rank 0's
// event stream through, prefixes the other ranks' messages, and makes sure exactly one final event
// ends the stream even if rank 0 itself dies.

#include <QStringList>

namespace ft::cli {

// `arguments` are the worker's arguments without --nproc. Returns the exit status to use.
int superviseRanks(const QStringList& arguments, int ranks, bool jsonEvents);

} // namespace ft::cli
