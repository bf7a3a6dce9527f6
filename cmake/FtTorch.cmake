# LibTorch, with one shared precompiled header for every translation unit that includes it.
find_package(Torch REQUIRED)

# ft_use_torch(target): links LibTorch and reuses the precompiled header built once by ft_torch_pch.
function(ft_use_torch target)
  target_link_libraries(${target} PRIVATE torch)
  target_precompile_headers(${target} REUSE_FROM ft_torch_pch)
endfunction()
