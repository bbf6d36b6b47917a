// herald's composition root: the command line of API.md §1. Each command group registers
// itself (cli_serve, cli_admin, cli_sites, cli_content); this file parses, sets up the logs
// and runs the one command named.

#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "app/cli.hpp"
#include "app/logging.hpp"
#include "app/version.hpp"

namespace herald::app {
namespace {

int Run(int argc, char** argv) {
    CLI::App app{"herald: publishes approved content to its sites on time, exactly once"};
    app.require_subcommand(1);
    // The log flags belong to the top level but may follow any subcommand (`herald serve
    // --log-format json`): unknown options fall through to the parent.
    app.fallthrough();
    // "herald 0.1.0 (git 1a2b3c4)": the revision is read at build time (src/app/version.hpp).
    app.set_version_flag("--version",
                         std::string("herald ") + kVersion + " (git " + kGitRevision + ")");
    LogFlags log_flags;
    AddLogFlags(app, log_flags);

    Commands commands;
    AddServeCommands(app, commands);
    AddAdminCommands(app, commands);
    AddSiteCommands(app, commands);
    AddContentCommands(app, commands);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    SetUpLogging(log_flags);
    for (const auto& [command, run] : commands)
        if (command->parsed()) return run();
    return 2;
}

}  // namespace
}  // namespace herald::app

int main(int argc, char** argv) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("herald"));
    try {
        return herald::app::Run(argc, argv);
    } catch (const std::exception& e) {
        herald::app::PrintError(e.what());
        return 1;
    }
}
