#pragma once
// A throw-away PostgreSQL server for the ledger tests: initdb into a
// temporary directory, pg_ctl start on a Unix socket in that directory (no
// TCP), one server per test binary, started by the first test that asks and
// stopped by its PID when the binary ends. PostgreSQL refuses to run as root,
// so as root the server runs as `nobody`. A watchdog process stops the server
// and removes the directory if the test binary dies without tearing down.
//
// Each test gets a database of its own (fresh_database_url). The server also
// has a role `carol` with password `right`, which must log in with it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.hpp"

namespace joule::testing {

class PostgresServer {
 public:
  // The server of this test binary, started on first use. nullptr (with the
  // reason in why_unavailable()) when PostgreSQL is not installed.
  static PostgresServer* shared() {
    static std::unique_ptr<PostgresServer> server = [] {
      auto s = std::make_unique<PostgresServer>();
      s->start();
      return s;
    }();
    instance_started() = true;
    return server->ready_ ? server.get() : nullptr;
  }
  static const std::string& why_unavailable() { return reason(); }
  // Called by the environment at the end of the binary.
  static void stop_shared() {
    if (instance_started()) {
      if (PostgresServer* s = shared()) s->stop();
    }
  }

  PostgresServer() = default;
  ~PostgresServer() { stop(); }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  const std::filesystem::path& socket_dir() const { return dir_; }

  // postgresql:// URL of `database` over the Unix socket, as `user`.
  std::string url(const std::string& database, const std::string& user = "joule",
                  const std::string& password = "") const {
    std::string auth = user + (password.empty() ? "" : ":" + password);
    return "postgresql://" + auth + "@/" + database + "?host=" + dir_.string() +
           "&port=" + std::to_string(kPort);
  }

  // A new, empty database for one test; its URL.
  std::string fresh_database_url() {
    std::string name = "t" + std::to_string(++databases_);
    sql("CREATE DATABASE " + name);
    return url(name);
  }

  // Runs SQL as the superuser on `database`; throws with the server's message.
  void sql(const std::string& statement, const std::string& database = "postgres") const {
    PGconn* conn = PQconnectdb(url(database).c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
      error = PQerrorMessage(conn);
    } else {
      PGresult* r = PQexec(conn, statement.c_str());
      if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        error = PQresultErrorMessage(r);
      PQclear(r);
    }
    PQfinish(conn);
    if (!error.empty()) throw std::runtime_error(statement + ": " + error);
  }

  pid_t pid() const { return postmaster_; }

 private:
  static constexpr int kPort = 5432;  // names the socket file; no TCP listener

  static std::string& reason() {
    static std::string why;
    return why;
  }
  static bool& instance_started() {
    static bool started = false;
    return started;
  }

  static std::filesystem::path find_bin_dir() {
    for (const char* dir : {"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
                            "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/14/bin"}) {
      if (std::filesystem::exists(std::filesystem::path(dir) / "pg_ctl")) return dir;
    }
    return {};
  }

  // argv run as the server's user, in the server's directory.
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const {
    std::vector<std::string> out = {"/usr/bin/env", "-C", dir_.string()};
    if (uid_ != geteuid()) {
      out = {"/usr/bin/setpriv",
             "--reuid=" + std::to_string(uid_),
             "--regid=" + std::to_string(gid_),
             "--clear-groups",
             "--",
             "/usr/bin/env",
             "-C",
             dir_.string()};
    }
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
  }

  bool step(const std::vector<std::string>& argv, const char* what) {
    auto r = run_command(as_server_user(argv));
    if (r.exit_code == 0) return true;
    reason() =
        std::string(what) + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err + r.out;
    return false;
  }

  void start() {
    const auto bin = find_bin_dir();
    if (bin.empty()) {
      reason() = "PostgreSQL server binaries not found (install postgresql-15)";
      return;
    }
    uid_ = geteuid();
    gid_ = getegid();
    if (uid_ == 0) {
      // PostgreSQL refuses root; nobody owns nothing else we care about.
      const passwd* nobody = getpwnam("nobody");
      if (nobody == nullptr) {
        reason() = "running as root and there is no user nobody to run PostgreSQL as";
        return;
      }
      uid_ = nobody->pw_uid;
      gid_ = nobody->pw_gid;
    }
    std::string templ = (std::filesystem::temp_directory_path() / "joule-pg-XXXXXX").string();
    if (mkdtemp(templ.data()) == nullptr) {
      reason() = "mkdtemp failed";
      return;
    }
    dir_ = templ;
    if (chown(dir_.c_str(), uid_, gid_) != 0) {
      reason() = "cannot give " + dir_.string() + " to the server's user";
      return;
    }
    const std::string data = (dir_ / "data").string();
    if (!step({(bin / "initdb").string(), "-D", data, "-U", "joule", "--auth=trust", "-E", "UTF8",
               "--locale=C", "--no-sync", "--no-instructions"},
              "initdb")) {
      return;
    }
    // carol needs her password; everyone else is trusted on this private socket.
    {
      std::ofstream hba(dir_ / "data" / "pg_hba.conf", std::ios::trunc);
      hba << "local all carol scram-sha-256\nlocal all all trust\n";
    }
    if (!step({(bin / "pg_ctl").string(), "-D", data, "-l", (dir_ / "server.log").string(), "-w",
               "-t", "60", "-o",
               "-k " + dir_.string() + " -p " + std::to_string(kPort) +
                   " -c listen_addresses= -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB",
               "start"},
              "pg_ctl start")) {
      return;
    }
    std::ifstream pidfile(dir_ / "data" / "postmaster.pid");
    pidfile >> postmaster_;
    if (postmaster_ <= 0) {
      reason() = "pg_ctl started no postmaster";
      return;
    }
    start_watchdog();
    sql("CREATE ROLE carol LOGIN PASSWORD 'right'");
    ready_ = true;
  }

  // A child that waits for this process to end (the pipe closes, whatever the
  // cause) and then stops the server and removes its directory.
  void start_watchdog() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    pid_t child = fork();
    if (child == 0) {
      close(fds[1]);
      char byte = 0;
      while (read(fds[0], &byte, 1) > 0) {
      }
      stop_postmaster(postmaster_);
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      _exit(0);
    }
    close(fds[0]);
    watchdog_pipe_ = fds[1];
    watchdog_ = child;
  }

  // Fast shutdown, then immediate, then kill: by PID, never by name.
  static void stop_postmaster(pid_t pid) {
    if (pid <= 0) return;
    const int signals[] = {SIGINT, SIGQUIT, SIGKILL};
    for (int sig : signals) {
      if (kill(pid, sig) != 0) return;
      for (int i = 0; i < 100; ++i) {
        if (kill(pid, 0) != 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  void stop() {
    if (postmaster_ > 0) stop_postmaster(postmaster_);
    postmaster_ = 0;
    if (watchdog_pipe_ >= 0) {
      close(watchdog_pipe_);
      watchdog_pipe_ = -1;
      int status = 0;
      waitpid(watchdog_, &status, 0);
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
    ready_ = false;
  }

  std::filesystem::path dir_;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  pid_t postmaster_ = 0;
  pid_t watchdog_ = 0;
  int watchdog_pipe_ = -1;
  int databases_ = 0;
  bool ready_ = false;
};

// Stops the shared server, if a test started one, when the binary ends.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::stop_shared(); }
};

// One per test binary, from any file that includes this header.
inline ::testing::Environment* const kPostgresEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace joule::testing
