// Builds the shared LibTorch precompiled header; nothing else lives here.
#include "torch_pch.h"
