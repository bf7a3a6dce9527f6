# CPACK_PRE_BUILD_SCRIPTS: drops the compiler's .comment section from the staged ELF files, as
# dh_strip does (CPACK_STRIP_FILES strips the symbols only).
file(GLOB_RECURSE staged LIST_DIRECTORIES false
  "${CPACK_TEMPORARY_DIRECTORY}/usr/bin/*" "${CPACK_TEMPORARY_DIRECTORY}/usr/lib/*.so")
foreach(file ${staged})
  execute_process(COMMAND objcopy --remove-section=.comment "${file}" RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "objcopy --remove-section=.comment failed on ${file}")
  endif()
endforeach()
