#pragma once
// The precompiled header shared by every LibTorch translation unit (see cmake/FtTorch.cmake).
#include <torch/torch.h>
