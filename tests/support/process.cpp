#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace herald::testing {
namespace {

std::vector<char*> ToArgv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

int DecodeStatus(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return -1;
}

}  // namespace

std::string CommandResult::LastLine() const {
    size_t end = out.size();
    while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r')) --end;
    const size_t start = out.rfind('\n', end == 0 ? 0 : end - 1);
    return out.substr(start == std::string::npos ? 0 : start + 1,
                      end - (start == std::string::npos ? 0 : start + 1));
}

std::string HeraldBinary() {
    if (const char* env = std::getenv("HERALD_BIN"); env && *env) return env;
    // Tests run from build/; herald sits beside them.
    const auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();
    return (self / "herald").string();
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        auto args = ToArgv(argv);
        execv(args[0], args.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    CommandResult result;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    char buf[4096];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
            }
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = DecodeStatus(status);
    return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(out_pipe[1], 1);
        auto args = ToArgv(argv);
        execv(args[0], args.data());
        _exit(127);
    }
    close(out_pipe[1]);
    stdout_fd_ = out_pipe[0];
}

ChildProcess::~ChildProcess() {
    if (!exited_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::optional<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Look for a complete line containing the needle in what has arrived.
        size_t line_start = scanned_;
        for (size_t nl = output_.find('\n', line_start); nl != std::string::npos;
             nl = output_.find('\n', line_start)) {
            std::string line = output_.substr(line_start, nl - line_start);
            line_start = nl + 1;
            scanned_ = line_start;
            if (line.find(needle) != std::string::npos) return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || stdout_fd_ < 0) return std::nullopt;
        pollfd fd{stdout_fd_, POLLIN, 0};
        if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = read(stdout_fd_, buf, sizeof buf);
        if (n <= 0) {
            close(stdout_fd_);
            stdout_fd_ = -1;
            return std::nullopt;
        }
        output_.append(buf, static_cast<size_t>(n));
    }
}

void ChildProcess::Signal(int signal) {
    if (!exited_ && pid_ > 0) kill(pid_, signal);
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
    if (exited_) return -1;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exited_ = true;
            return DecodeStatus(status);
        }
        if (std::chrono::steady_clock::now() > deadline) return -2;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});  // this wait's poll interval
    }
}

ServeProcess StartServe(const std::string& db_url, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {HeraldBinary(), "serve",    "--db",
                                     db_url,         "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    ServeProcess serve;
    serve.process = std::make_unique<ChildProcess>(argv);
    const auto line = serve.process->WaitForLine("serving on http://", std::chrono::seconds{20});
    if (!line) throw std::runtime_error("herald serve did not start: " + serve.process->Output());
    const auto colon = line->rfind(':');
    serve.port = static_cast<uint16_t>(std::stoi(line->substr(colon + 1)));
    // On an empty database the key is printed on the line after the first-run notice.
    const std::string& out = serve.process->Output();
    if (const auto notice = out.find("(shown once):\n"); notice != std::string::npos) {
        const size_t start = notice + std::strlen("(shown once):\n");
        serve.first_api_key = out.substr(start, out.find('\n', start) - start);
    }
    return serve;
}

}  // namespace herald::testing
