# Install layout (cmake --install) and the Debian package (CPack DEB; scripts/package.sh):
#   bin/herald                         the program
#   share/herald/web/                  the built web UI, the API description and its page
#                                      (herald finds it beside its binary: ../share/herald/web)
#   lib/systemd/system/herald.service  the service (own user, state dir, hardening)
#   /etc/herald/herald.conf            the service's environment (a conffile)
#   share/doc/herald/README.md
# The package's prefix is /usr; the configuration is always /etc/herald.
include(GNUInstallDirs)
# Installing (and so cpack) builds nothing: scripts/package.sh builds herald first, and the
# package test packs the build ctest already tests, without rebuilding under running tests.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS herald RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The UI is built by node (web/build.sh), not by CMake: refuse to install without it rather
# than ship a package that serves no UI.
install(CODE "
  if(NOT EXISTS \"${CMAKE_SOURCE_DIR}/web/dist/index.html\" OR
     NOT EXISTS \"${CMAKE_SOURCE_DIR}/web/dist/openapi.json\")
    message(FATAL_ERROR \"web/dist is not built: run web/build.sh first\")
  endif()")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/dist/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/herald/web
  PATTERN "*.map" EXCLUDE)

install(FILES ${CMAKE_SOURCE_DIR}/packaging/herald.service DESTINATION lib/systemd/system)
# May hold HERALD_SECRET_KEY or a database password: root only (systemd reads it as root).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/herald.conf DESTINATION /etc/herald
  PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME herald)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "herald developers <herald@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "self-hosted content publishing scheduler (WordPress, Shopify, Ghost, webhooks)")
set(CPACK_PACKAGE_DESCRIPTION
  "herald publishes approved content to its sites on time, exactly once: an HTTP API, a web
calendar, a slot scheduler and a dispatcher with retries, on SQLite or PostgreSQL.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # no debug info in the package, whatever the build type
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries herald links against, with versions, from dpkg-shlibdeps (dpkg-dev);
# adduser for the system user.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles
  ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
