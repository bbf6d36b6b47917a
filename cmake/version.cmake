# Writes OUT (a .cpp defining herald::app::kVersion and kGitRevision) from VERSION and the git
# revision of SOURCE_DIR; run by the build on every build (cmake -P), it rewrites OUT only when
# the text changes, so a new commit recompiles one small file and relinks herald.
# Outside a git checkout (a source tarball) the revision is HERALD_GIT_REVISION if set, else
# "unknown".
set(revision "")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" describe --always --dirty --abbrev=10
    WORKING_DIRECTORY "${SOURCE_DIR}"
    OUTPUT_VARIABLE revision
    ERROR_QUIET
    RESULT_VARIABLE status
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT status EQUAL 0)
    set(revision "")
  endif()
endif()
if(revision STREQUAL "" AND DEFINED ENV{HERALD_GIT_REVISION})
  set(revision "$ENV{HERALD_GIT_REVISION}")
endif()
if(revision STREQUAL "")
  set(revision "unknown")
endif()
set(text "// Written by cmake/version.cmake at build time; do not edit.
#include \"app/version.hpp\"

namespace herald::app {

const char* const kVersion = \"${VERSION}\";
const char* const kGitRevision = \"${revision}\";

}  // namespace herald::app
")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
