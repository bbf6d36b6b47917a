#pragma once
// herald's logs on stderr: --log-format text|json and --log-level, for every command.

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace herald::app {

struct LogFlags {
    std::string format = "text";
    std::string level = "info";
};

/// Adds --log-format / --log-level (HERALD_LOG_FORMAT / HERALD_LOG_LEVEL) to `app`; bad
/// values are refused while parsing, before anything runs.
void AddLogFlags(CLI::App& app, LogFlags& flags);

/// The default logger: text (spdlog's usual lines) or JSON (one object per line: ts, level,
/// logger, msg, thread, and source when the call site gave one), at the chosen level.
void SetUpLogging(const LogFlags& flags);

/// A command's failure on stderr: "herald: MESSAGE", or with --log-format json a JSON line
/// of level "error" (so stderr stays parseable), whatever --log-level says.
void PrintError(std::string_view message);

}  // namespace herald::app
