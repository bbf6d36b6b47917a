#include "dispatch/claim_identity.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace herald::dispatch {
namespace {

std::string RandomHex() {
    std::random_device rd;
    std::mt19937_64 rng{(static_cast<uint64_t>(rd()) << 32) ^ rd()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
}

/// Field 22 of /proc/PID/stat (start time in clock ticks since boot): with the pid it names
/// one process, even after the pid is reused. Empty when unreadable.
std::string ProcessStartTime(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');  // the command name may hold spaces and parens
    if (paren == std::string::npos) return {};
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) return field;
    return {};
}

}  // namespace

std::string HostName() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown-host";
    std::string host(buf);
    std::replace(host.begin(), host.end(), '/', '_');
    return host;
}

/// "d1/HOST/PID.START/RANDOM". Claims are compared as opaque strings everywhere else.
std::string MakeClaimToken() {
    const pid_t pid = getpid();
    return fmt::format("d1/{}/{}.{}/{}", HostName(), pid, ProcessStartTime(pid), RandomHex());
}

/// True when `token` names a process of this host that no longer runs. Anything unclear
/// (another host, an old token format, an unreadable /proc) counts as alive: its lease decides.
bool ClaimerIsDeadLocalProcess(const std::string& token, const std::string& host) {
    std::vector<std::string> parts;
    std::stringstream ss(token);
    for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
    if (parts.size() != 4 || parts[0] != "d1" || parts[1] != host) return false;
    const auto dot = parts[2].find('.');
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::stol(parts[2].substr(0, dot)));
    } catch (const std::exception&) {
        return false;
    }
    if (pid <= 0) return false;
    if (pid == getpid()) return false;  // another dispatcher of this very process
    if (kill(pid, 0) != 0 && errno == ESRCH) return true;
    // The pid runs; is it still the same process?
    const std::string start = dot == std::string::npos ? "" : parts[2].substr(dot + 1);
    const std::string now_start = ProcessStartTime(pid);
    return !start.empty() && !now_start.empty() && start != now_start;
}

}  // namespace herald::dispatch
