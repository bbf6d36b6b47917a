#include "app/logging.hpp"

#include <ctime>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace herald::app {
namespace {

bool g_json = false;  // set once by SetUpLogging, before any thread starts

const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};

spdlog::level::level_enum ParseLevel(const std::string& name) {
    if (name == "trace") return spdlog::level::trace;
    if (name == "debug") return spdlog::level::debug;
    if (name == "warn") return spdlog::level::warn;
    if (name == "error") return spdlog::level::err;
    if (name == "off") return spdlog::level::off;
    return spdlog::level::info;
}

std::string_view LevelName(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
            return "error";
        case spdlog::level::critical:
            return "critical";
        default:
            return "off";
    }
}

/// RFC 3339 in UTC with milliseconds: 2026-01-20T14:00:00.123Z.
std::string Rfc3339(spdlog::log_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    const std::time_t seconds =
        std::chrono::system_clock::to_time_t(std::chrono::system_clock::time_point{
            std::chrono::duration_cast<std::chrono::seconds>(ms)});
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const auto milli = ((ms.count() % 1000) + 1000) % 1000;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                       utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, milli);
}

/// One JSON object per line. nlohmann escapes quotes and control characters; bytes that are
/// not UTF-8 (names come from argv and remote error bodies) become U+FFFD instead of
/// making the line invalid.
std::string JsonLine(const spdlog::details::log_msg& msg) {
    nlohmann::ordered_json line;
    line["ts"] = Rfc3339(msg.time);
    line["level"] = LevelName(msg.level);
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    line["thread"] = msg.thread_id;
    if (!msg.source.empty())
        line["source"] = fmt::format("{}:{}", msg.source.filename, msg.source.line);
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string text = JsonLine(msg);
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

}  // namespace

void AddLogFlags(CLI::App& app, LogFlags& flags) {
    app.add_option("--log-format", flags.format, "log lines on stderr: text or json")
        ->envname("HERALD_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    app.add_option("--log-level", flags.level, "trace, debug, info, warn, error or off")
        ->envname("HERALD_LOG_LEVEL")
        ->check(CLI::IsMember(kLevels))
        ->capture_default_str();
}

void SetUpLogging(const LogFlags& flags) {
    auto logger = spdlog::default_logger();
    if (flags.format == "json") {
        // Machines read these lines: no colour codes.
        logger = std::make_shared<spdlog::logger>(
            "herald", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_formatter(std::make_unique<JsonFormatter>());
        spdlog::set_default_logger(logger);
        g_json = true;
    }
    logger->set_level(ParseLevel(flags.level));
    logger->flush_on(spdlog::level::trace);
}

void PrintError(std::string_view message) {
    if (!g_json) {
        std::cerr << "herald: " << message << std::endl;
        return;
    }
    const spdlog::details::log_msg msg("herald", spdlog::level::err,
                                       spdlog::string_view_t(message.data(), message.size()));
    std::cerr << JsonLine(msg) << std::flush;
}

}  // namespace herald::app
