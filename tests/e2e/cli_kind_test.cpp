// The command line's own manners, on the real binary: a mistyped --db is refused instead of
// becoming an empty database, each way a SQLite file cannot be used has its own message,
// `--listen` takes a host name, `--web-root` must exist, `herald help` works, a busy port
// shows no key that is then lost, account names are unique, and `--demo` keeps to itself.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "support/http_test_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace herald::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

CommandResult Herald(std::vector<std::string> args) {
    args.insert(args.begin(), HeraldBinary());
    return RunCommand(args);
}

/// herald as a user the file permissions apply to: root writes to read-only files, so as
/// root it runs as nobody (setpriv, util-linux).
CommandResult HeraldUnprivileged(std::vector<std::string> args) {
    args.insert(args.begin(), HeraldBinary());
    if (::geteuid() == 0)
        args.insert(args.begin(),
                    {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
    return RunCommand(args);
}

::testing::AssertionResult FailsWithOneLine(const CommandResult& r, const std::string& needle) {
    std::string err = r.err;
    while (!err.empty() && err.back() == '\n') err.pop_back();
    if (r.exit_code == 0) return ::testing::AssertionFailure() << "exit 0; stdout: " << r.out;
    if (err.find('\n') != std::string::npos)
        return ::testing::AssertionFailure() << "stderr has several lines:\n" << r.err;
    if (err.find(needle) == std::string::npos)
        return ::testing::AssertionFailure() << "stderr lacks '" << needle << "': " << r.err;
    return ::testing::AssertionSuccess();
}

void ChownToNobody(const std::string& path) {
    if (::geteuid() == 0) {
        ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0) << path;
    }
}

TEST(CliKind, DbOnTheCommandLineBeatsHeraldDbWhichStandsInWhenItIsAbsent) {
    TempDir dir;
    const std::string env_db = "sqlite:" + dir.File("env.db");
    const std::string flag_db = "sqlite:" + dir.File("flag.db");
    ASSERT_EQ(Herald({"accounts", "create", "from-env", "--db", env_db}).exit_code, 0);
    ASSERT_EQ(Herald({"accounts", "create", "from-flag", "--db", flag_db}).exit_code, 0);
    const auto with_env = [&](std::vector<std::string> args, const std::string& var,
                              const std::string& value) {
        args.insert(args.begin(), {"/usr/bin/env", var + "=" + value, HeraldBinary()});
        return RunCommand(args);
    };
    // `accounts create` shares its flags with `accounts list`: the environment must not
    // overwrite the --db given to the command that runs.
    const auto flag = with_env({"accounts", "list", "--db", flag_db}, "HERALD_DB", env_db);
    ASSERT_EQ(flag.exit_code, 0) << flag.err;
    EXPECT_NE(flag.out.find("from-flag"), std::string::npos) << flag.out;
    EXPECT_EQ(flag.out.find("from-env"), std::string::npos) << flag.out;
    const auto env = with_env({"accounts", "list"}, "HERALD_DB", env_db);
    ASSERT_EQ(env.exit_code, 0) << env.err;
    EXPECT_NE(env.out.find("from-env"), std::string::npos) << env.out;
    EXPECT_TRUE(FailsWithOneLine(
        with_env({"accounts", "list", "--db", flag_db}, "HERALD_DB_POOL_SIZE", "0"),
        "HERALD_DB_POOL_SIZE"));
    EXPECT_EQ(with_env({"accounts", "list", "--db", flag_db}, "HERALD_DB_POOL_SIZE", "4").exit_code,
              0);
}

TEST(CliKind, AMissingDatabaseIsRefusedByEveryCommandButThoseThatMakeOne) {
    TempDir dir;
    const std::string file = dir.File("typo.db");
    const std::string db = "sqlite:" + file;
    const std::vector<std::vector<std::string>> readers = {
        {"tasks", "schedule-approved", "--db", db},
        {"tasks", "process-scheduled", "--db", db},
        {"accounts", "list", "--db", db},
        {"keys", "list", "admin", "--db", db},
        {"sites", "list", "--account", "admin", "--db", db},
        {"content", "list", "--db", db},
        {"backup", "--db", db, dir.File("copy.db")},
    };
    for (const auto& args : readers) {
        const auto r = Herald(args);
        EXPECT_TRUE(FailsWithOneLine(r, "no herald database at " + file)) << args[0] << args[1];
        EXPECT_FALSE(fs::exists(file)) << args[0] << " " << args[1] << " made the file";
    }
    const auto migrated = Herald({"migrate", "--db", db});
    EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_TRUE(fs::exists(file));
    EXPECT_EQ(Herald({"accounts", "list", "--db", db}).exit_code, 0);

    const std::string other = dir.File("other.db");
    const auto created = Herald({"accounts", "create", "me", "--db", "sqlite:" + other});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    EXPECT_TRUE(fs::exists(other));
}

TEST(CliKind, MissingFolderReadOnlyFolderAndReadOnlyFileEachSaySo) {
    TempDir dir;
    const std::string missing = dir.File("nowhere") + "/herald.db";
    EXPECT_TRUE(FailsWithOneLine(Herald({"migrate", "--db", "sqlite:" + missing}),
                                 "there is no folder " + dir.File("nowhere")));
    EXPECT_FALSE(fs::exists(dir.File("nowhere")));

    // A folder only root may write to: a new database cannot go there.
    const std::string locked = dir.File("locked");
    fs::create_directory(locked);
    ::chmod(locked.c_str(), 0555);
    ::chmod(dir.path().c_str(), 0755);
    EXPECT_TRUE(
        FailsWithOneLine(HeraldUnprivileged({"migrate", "--db", "sqlite:" + locked + "/herald.db"}),
                         "the folder " + locked + " is read-only"));

    // An existing database in a writable folder, but the file itself read-only.
    const std::string open_dir = dir.File("open");
    fs::create_directory(open_dir);
    const std::string file = open_dir + "/herald.db";
    ASSERT_EQ(Herald({"migrate", "--db", "sqlite:" + file}).exit_code, 0);
    ChownToNobody(open_dir);
    ::chmod(open_dir.c_str(), 0755);
    ::chmod(file.c_str(), 0444);
    EXPECT_TRUE(FailsWithOneLine(HeraldUnprivileged({"accounts", "list", "--db", "sqlite:" + file}),
                                 "the herald database " + file + " is read-only"));

    // A writable file in a folder that is not: SQLite's -wal and -shm go beside it.
    const std::string ro_dir = dir.File("ro");
    fs::create_directory(ro_dir);
    const std::string ro_file = ro_dir + "/herald.db";
    ASSERT_EQ(Herald({"migrate", "--db", "sqlite:" + ro_file}).exit_code, 0);
    ChownToNobody(ro_file);
    ::chmod(ro_file.c_str(), 0644);
    ::chmod(ro_dir.c_str(), 0555);
    EXPECT_TRUE(FailsWithOneLine(
        HeraldUnprivileged({"accounts", "list", "--db", "sqlite:" + ro_file}),
        "the folder " + ro_dir + " of the herald database " + ro_file + " is read-only"));
    ::chmod(ro_dir.c_str(), 0755);
    ::chmod(locked.c_str(), 0755);
}

TEST(CliKind, ListenTakesAHostName) {
    TempDir dir;
    ChildProcess serve({HeraldBinary(), "serve", "--no-tasks", "--db", "sqlite:" + dir.File("h.db"),
                        "--listen", "localhost:0"});
    const auto line = serve.WaitForLine("serving on http://", 20s);
    ASSERT_TRUE(line) << serve.Output();
    EXPECT_NE(line->find("http://localhost:"), std::string::npos) << *line;
    const auto port = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
    HttpTestClient client("127.0.0.1", port);
    EXPECT_EQ(client.Get("/healthz").status, 200);
    serve.Signal(SIGTERM);
    EXPECT_EQ(serve.Wait(15s), 0);

    EXPECT_TRUE(FailsWithOneLine(Herald({"serve", "--db", "sqlite:" + dir.File("h.db"), "--listen",
                                         "no-such-host.invalid:0"}),
                                 "the name does not resolve"));
}

TEST(CliKind, AWebRootThatIsNotThereIsAStartupError) {
    TempDir dir;
    const std::string file = dir.File("h.db");
    EXPECT_TRUE(FailsWithOneLine(Herald({"serve", "--db", "sqlite:" + file, "--listen",
                                         "127.0.0.1:0", "--web-root", dir.File("dist")}),
                                 "--web-root " + dir.File("dist") + " is not a folder"));
    fs::create_directory(dir.File("empty"));
    EXPECT_TRUE(FailsWithOneLine(Herald({"serve", "--db", "sqlite:" + file, "--listen",
                                         "127.0.0.1:0", "--web-root", dir.File("empty")}),
                                 "holds no index.html"));
    EXPECT_FALSE(fs::exists(file)) << "refused before the database was made";
}

TEST(CliKind, HelpIsACommandAndTellsWhatThisBuildServes) {
    const auto help = Herald({"help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("Usage: herald"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("serve"), std::string::npos);
    const auto serve_help = Herald({"help", "serve"});
    EXPECT_EQ(serve_help.exit_code, 0);
    EXPECT_NE(serve_help.out.find("--listen"), std::string::npos) << serve_help.out;
    const auto nested = Herald({"help", "tasks", "schedule-approved"});
    EXPECT_NE(nested.out.find("Usage: herald tasks schedule-approved"), std::string::npos)
        << nested.out;
    EXPECT_TRUE(FailsWithOneLine(Herald({"help", "nope"}), "there is no command 'nope'"));

    // "web UI" only when this build has one beside it (build/herald → web/dist).
    const fs::path ui = fs::path(HeraldBinary()).parent_path().parent_path() / "web" / "dist";
    const bool built = fs::is_regular_file(ui / "index.html");
    const std::string top = Herald({"--help"}).out;
    EXPECT_EQ(top.find("HTTP API, web UI,") != std::string::npos, built) << top;
    EXPECT_EQ(top.find("no web UI in this build") != std::string::npos, !built) << top;
    // 0 is the documented default of --retry-max-attempts, so it is accepted.
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("h.db");
    ASSERT_EQ(Herald({"migrate", "--db", db}).exit_code, 0);
    const auto zero =
        Herald({"tasks", "process-scheduled", "--db", db, "--retry-max-attempts", "0"});
    EXPECT_EQ(zero.exit_code, 0) << zero.err;
}

// A mistyped command line is an error like any other: non-zero and one line on stderr (the
// parser's own two-line "… / Run with --help" would break scripts that read one line).
TEST(CliKind, UsageErrorsAreOneLine) {
    EXPECT_TRUE(FailsWithOneLine(Herald({}), "subcommand is required"));
    EXPECT_TRUE(FailsWithOneLine(Herald({"tasks"}), "subcommand is required"));
    EXPECT_TRUE(FailsWithOneLine(Herald({"serve", "--no-such-flag"}), "--no-such-flag"));
    EXPECT_TRUE(FailsWithOneLine(Herald({"tasks", "schedule-approved", "--now"}), "--now"));
    EXPECT_TRUE(FailsWithOneLine(Herald({"accounts", "create"}), "NAME is required"));
    // --help and --version stay successes with their text on stdout.
    EXPECT_EQ(Herald({"--version"}).exit_code, 0);
    EXPECT_EQ(Herald({"tasks", "--help"}).exit_code, 0);
}

TEST(CliKind, ABusyPortShowsNoKeyAndTheNextStartDoes) {
    TempDir dir;
    auto first = StartServe("sqlite:" + dir.File("first.db"), {"--no-tasks"});
    const std::string db = "sqlite:" + dir.File("second.db");
    const auto busy =
        Herald({"serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(first.port)});
    EXPECT_TRUE(FailsWithOneLine(busy, "cannot listen on"));
    EXPECT_EQ(busy.out.find("API key"), std::string::npos) << busy.out;
    const auto none = Herald({"accounts", "list", "--db", db});
    ASSERT_EQ(none.exit_code, 0) << none.err;
    EXPECT_EQ(none.out, "id\tname\tcreated_at\tlive_keys\n");

    auto second = StartServe(db, {"--no-tasks"});
    ASSERT_FALSE(second.first_api_key.empty()) << second.process->Output();
    HttpTestClient client("127.0.0.1", second.port);
    client.SetApiKey(second.first_api_key);
    EXPECT_EQ(client.Get("/api/v1/sites/").status, 200);
}

TEST(CliKind, AccountNamesAreUniqueAndListed) {
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("h.db");
    ASSERT_EQ(Herald({"accounts", "create", "me", "--db", db}).exit_code, 0);
    EXPECT_TRUE(FailsWithOneLine(Herald({"accounts", "create", "me", "--db", db}),
                                 "an account named 'me' already exists"));
    ASSERT_EQ(Herald({"keys", "create", "me", "--name", "ci", "--db", db}).exit_code, 0);
    ASSERT_EQ(Herald({"accounts", "create", "you", "--db", db}).exit_code, 0);
    const auto list = Herald({"accounts", "list", "--db", db});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("\tme\t"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("\t2\n"), std::string::npos) << "me has two live keys:\n" << list.out;
    EXPECT_NE(list.out.find("\tyou\t"), std::string::npos) << list.out;
    EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 3) << list.out;
}

/// The demo account's key from a `serve --demo` process's output.
std::string DemoKey(ChildProcess& serve) {
    const auto line = serve.WaitForLine("sign in with this key", 20s);
    if (!line) return {};
    const auto key = serve.WaitForLine("", 5s);  // the line after
    return key ? *key : std::string();
}

TEST(CliKind, DemoReusesItsAccountAndRefusesOtherData) {
    TempDir dir;
    const std::string db = "sqlite:" + dir.File("demo.db");
    for (int run = 0; run < 2; ++run) {
        ChildProcess serve({HeraldBinary(), "serve", "--demo", "--no-tasks", "--db", db, "--listen",
                            "127.0.0.1:0"});
        const std::string key = DemoKey(serve);
        ASSERT_FALSE(key.empty()) << serve.Output();
        const std::string line = serve.Output().substr(serve.Output().find("serving on"));
        const auto port = static_cast<uint16_t>(
            std::stoi(line.substr(line.find("127.0.0.1:") + 10, line.find('\n'))));
        HttpTestClient client("127.0.0.1", port);
        client.SetApiKey(key);
        const auto sites = client.Get("/api/v1/sites/");
        ASSERT_EQ(sites.status, 200);
        ASSERT_EQ(sites.json["count"], 1) << "run " << run << ": " << sites.body;
        // The site publishes to this run's receiver, whatever port the last one had.
        EXPECT_EQ(sites.json["results"][0]["domain"],
                  "http://127.0.0.1:" + std::to_string(port) + "/demo/receiver");
        EXPECT_EQ(client.Get("/api/v1/writer/content/").json["count"], 7) << "run " << run;
        serve.Signal(SIGTERM);
        ASSERT_EQ(serve.Wait(15s), 0);
    }
    const auto accounts = Herald({"accounts", "list", "--db", db});
    EXPECT_EQ(std::count(accounts.out.begin(), accounts.out.end(), '\n'), 2) << accounts.out;

    const std::string mine = "sqlite:" + dir.File("mine.db");
    ASSERT_EQ(Herald({"accounts", "create", "me", "--db", mine}).exit_code, 0);
    const auto refused = Herald({"serve", "--demo", "--db", mine, "--listen", "127.0.0.1:0"});
    EXPECT_TRUE(FailsWithOneLine(refused, "holds other accounts ('me')"));
    const auto after = Herald({"accounts", "list", "--db", mine});
    EXPECT_EQ(after.out.find("demo"), std::string::npos) << after.out;
}

}  // namespace
}  // namespace herald::testing
