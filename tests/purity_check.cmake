# Fails when a file under spec/ reaches for I/O, a clock or randomness (DESIGN §1):
# the spec library takes time, randomness and DNS answers as parameters.
file(GLOB_RECURSE files ${SPEC_DIR}/include/*.hpp ${SPEC_DIR}/src/*.cpp ${SPEC_DIR}/src/*.hpp)
set(forbidden
  "#include[ \t]*<boost/asio"
  "#include[ \t]*<boost/beast"
  "#include[ \t]*<botan/"
  "#include[ \t]*<ldns/"
  "#include[ \t]*<iostream>"
  "#include[ \t]*<fstream>"
  "#include[ \t]*<filesystem>"
  "#include[ \t]*<chrono>"
  "#include[ \t]*<random>"
  "#include[ \t]*<ctime>"
  "#include[ \t]*<time.h>"
  "#include[ \t]*<cstdio>"
  "#include[ \t]*<stdio.h>"
  "#include[ \t]*<thread>"
  "#include[ \t]*<sys/"
  "#include[ \t]*<unistd.h>"
  "std::rand[ \t]*\\("
  "random_device"
  "system_clock"
  "steady_clock")
set(violations "")
foreach(f IN LISTS files)
  file(READ "${f}" text)
  foreach(pat IN LISTS forbidden)
    if(text MATCHES "${pat}")
      string(APPEND violations "  ${f}: matches '${pat}'\n")
    endif()
  endforeach()
endforeach()
list(LENGTH files n)
if(violations)
  message(FATAL_ERROR "spec/ must stay pure (no I/O, clocks or randomness):\n${violations}")
endif()
message(STATUS "spec purity: ${n} files checked, no I/O, clock or randomness")
