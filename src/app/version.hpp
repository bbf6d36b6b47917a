#pragma once
// What `herald --version` prints. Defined in a file the build writes (cmake/version.cmake):
// the project version from CMakeLists.txt and the source's git revision at build time.

namespace herald::app {

extern const char* const kVersion;      // "0.1.0"
extern const char* const kGitRevision;  // `git describe --always --dirty`, or "unknown"

}  // namespace herald::app
