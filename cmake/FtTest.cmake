# ft_add_test(NAME tst_x SOURCES ... LIBS ... [LABELS slow gpu ...] [TORCH] [TIMEOUT s])
# One Qt Test executable registered with CTest. GUI tests run offscreen; every test finds the shared
# fixtures through FT_SHARED_DIR (set by scripts/test) or the ../shared beside the source tree.
# FT_COMPUTE_DTYPE=float32: new runs compute in float32 on every machine, so that these tests' numbers
# do not depend on the CPU; tst_compute_precision and tst_train_worker unset it to check the default.
# (tst_package and tst_x11_smoke, registered with add_test of their own, train nothing.)
function(ft_add_test)
  cmake_parse_arguments(T "TORCH" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  ft_set_warnings(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE Qt6::Test ft_testsupport ${T_LIBS})
  if(T_TORCH)
    ft_use_torch(${T_NAME})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set(labels ${T_LABELS})
  if(NOT labels)
    set(labels fast)
  endif()
  # The units that read outside input and the workspace store, without LibTorch or the engine:
  # what scripts/sanitize runs under ASan + UBSan in CI (label "sanitize").
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  if(NOT T_TORCH AND folder MATCHES "^(common|data|modelio|chat|contract|gguf|store)$"
     AND NOT T_NAME STREQUAL "tst_gguf_export")
    list(APPEND labels sanitize)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${labels}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;FT_THREADS=1;FT_COMPUTE_DTYPE=float32;OMP_WAIT_POLICY=PASSIVE;FT_CLI=$<TARGET_FILE:ftstudio-cli>")
endfunction()
