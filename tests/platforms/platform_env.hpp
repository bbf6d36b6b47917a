#pragma once
// Where the real test platforms are: environment variables first, then the env files the
// scripts/{wordpress,ghost}/start.sh scripts write. Tests skip when a target is absent.

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "publishers/http_client.hpp"

namespace herald::platforms_test {

/// KEY=VALUE lines of an env file; empty when it does not exist.
inline std::map<std::string, std::string> ReadEnvFile(const std::string& path) {
    std::map<std::string, std::string> values;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos || line.starts_with("#")) continue;
        values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return values;
}

/// getenv(name), else the value in the env file named by `file_var` (or `default_file`).
inline std::string EnvValue(const std::string& name, const char* file_var,
                            const std::string& default_file) {
    if (const char* v = std::getenv(name.c_str()); v && *v) return v;
    const char* file = std::getenv(file_var);
    const auto values = ReadEnvFile(file && *file ? file : default_file);
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
}

/// A value for the local WordPress of scripts/wordpress/start.sh (its env file by default).
inline std::string WpEnv(const std::string& name) {
    return EnvValue(name, "HERALD_WP_ENV", "/tmp/herald-wordpress/env");
}

/// True when `url` answers any HTTP status within 3 s.
inline bool Answers(publishers::HttpClient& http, const std::string& url) {
    publishers::HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::seconds{3};
    return http.Send(request).status != 0;
}

/// A unique suffix per test run, so runs against one long-lived site never collide.
inline std::string RunSuffix() {
    static const std::string suffix =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() %
                       100000000);
    return suffix;
}

inline nlohmann::json Json(const std::string& body) {
    return nlohmann::json::parse(body, nullptr, false);
}

/// A valid 2x2 PNG (WordPress makes thumbnails of uploads, so it must decode).
inline std::string TinyPng() {
    static const unsigned char kPng[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd,
        0xd4, 0x9a, 0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xcf, 0xc0, 0x00, 0x44, 0x0c, 0x10, 0x0a, 0x00, 0x1f, 0xee, 0x03, 0xfd, 0x8b, 0x5f, 0x14,
        0xd4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    return std::string(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

}  // namespace herald::platforms_test
