#pragma once
// Runs build/herald (or any program) from tests: one-shot commands with captured output,
// and long-running children (herald serve) that can be read from and signalled.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::testing {

struct CommandResult {
    int exit_code = -1;  // -1: killed by a signal
    std::string out;
    std::string err;
    /// The last non-empty line of stdout.
    std::string LastLine() const;
};

/// The herald binary under test: $HERALD_BIN, else build/herald next to the test binary.
std::string HeraldBinary();

/// Runs `argv` to completion, capturing stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv);

/// A child process with its stdout readable line by line (stderr goes to the test's).
class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();  // SIGKILLs the child if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    /// Reads stdout until a line containing `needle` arrives; returns that line, or nullopt
    /// on timeout or end of output.
    std::optional<std::string> WaitForLine(const std::string& needle,
                                           std::chrono::milliseconds timeout);
    /// Sends `signal` to the child.
    void Signal(int signal);
    /// Waits for exit; returns the exit code (-1 if killed by a signal, -2 on timeout).
    int Wait(std::chrono::milliseconds timeout);
    /// All stdout read so far.
    const std::string& Output() const { return output_; }

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string output_;
    size_t scanned_ = 0;
    bool exited_ = false;
};

/// Starts `herald serve` on 127.0.0.1 with a free port and waits for it to be listening.
/// `extra` args are appended. Returns the child and fills `port`.
struct ServeProcess {
    std::unique_ptr<ChildProcess> process;
    uint16_t port = 0;
    std::string first_api_key;  // when the database was empty
    std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port); }
};
ServeProcess StartServe(const std::string& db_url, const std::vector<std::string>& extra = {});

}  // namespace herald::testing
