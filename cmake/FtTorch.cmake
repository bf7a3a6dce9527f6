# LibTorch, with one shared precompiled header for every translation unit that includes it.
find_package(Torch REQUIRED)
# LibTorch runs at::parallel_for on OpenMP, but the loop is a template in its headers: a translation
# unit compiled without -fopenmp gets the serial branch, so the engine's own kernels (attention,
# norms, the LoRA corrections, quantization) ran on one thread whatever the thread count. Every user
# of the headers compiles with OpenMP (one libgomp, the one LibTorch uses), the precompiled header too.
find_package(OpenMP REQUIRED COMPONENTS CXX)
set_property(TARGET torch APPEND PROPERTY INTERFACE_LINK_LIBRARIES OpenMP::OpenMP_CXX)

# ft_use_torch(target): links LibTorch and reuses the precompiled header built once by ft_torch_pch.
function(ft_use_torch target)
  target_link_libraries(${target} PRIVATE torch)
  target_precompile_headers(${target} REUSE_FROM ft_torch_pch)
endfunction()
