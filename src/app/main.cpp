// herald's composition root: the command line of API.md §1. Each command group registers
// itself (cli_serve, cli_admin, cli_sites, cli_content); this file parses, sets up the logs
// and runs the one command named.

#include <iostream>
#include <string>
#include <vector>

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

    // `herald help [COMMAND…]`: what --help prints, for people who type the word.
    std::vector<std::string> help_topic;
    auto* help = app.add_subcommand("help", "print this help, or a command's (herald help serve)");
    help->add_option("COMMAND", help_topic, "a command, e.g. serve or tasks schedule-approved");
    commands.emplace_back(help, [&app, &help_topic] {
        CLI::App* target = &app;
        std::string usage = "herald";
        for (const auto& name : help_topic) {
            try {
                target = target->get_subcommand(name);
            } catch (const CLI::OptionNotFound&) {
                throw UsageError("there is no command '" + name + "'; herald help lists them");
            }
            usage += " " + name;
        }
        // The formatter, not App::help(): that one describes the parsed subcommand (help).
        std::cout << target->get_formatter()->make_help(target, usage, CLI::AppFormatMode::Normal);
        return 0;
    });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" that succeed; a real usage error is one line on
        // stderr like every other error (CLI11's own adds a second "Run with --help" line).
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
        PrintError(std::string(e.what()) + " (herald --help lists the commands and options)");
        return e.get_exit_code();
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
