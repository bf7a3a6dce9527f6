# FT_FUZZ=ON (scripts/fuzz): the libraries that parse outside input, built with clang under
# libFuzzer's coverage, AddressSanitizer and UndefinedBehaviorSanitizer, and one fuzz target per
# parser (tests/fuzz). No LibTorch, no GUI, no tests.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FT_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
endif()
find_package(Qt6 6.2 REQUIRED COMPONENTS Core)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_library(SENTENCEPIECE_TRAIN_LIBRARY sentencepiece_train REQUIRED)
set(CMAKE_AUTOMOC ON)
set(FT_SOURCE_RESOURCES_DIR "${PROJECT_SOURCE_DIR}/resources")
set(FT_INSTALL_DATA_DIR "${CMAKE_INSTALL_DATADIR}/ftstudio")
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
foreach(library common modelio data contract chat gguf)
  add_subdirectory(${PROJECT_SOURCE_DIR}/core/${library} ${PROJECT_BINARY_DIR}/core/${library})
endforeach()
add_subdirectory(${PROJECT_SOURCE_DIR}/tests/fuzz ${PROJECT_BINARY_DIR}/fuzz)
