#pragma once
// Shared by the `joule serve` tests: a fake host (a powercap sysfs tree, a
// /proc/stat and a cgroup tree in a temporary directory, driven at a known
// power by a thread), free loopback ports, and `joule serve` started on one.
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "support/background_process.hpp"
#include "support/subprocess.hpp"

namespace joule::testing {

// A TCP port free on loopback now (the kernel's choice for port 0).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

inline std::filesystem::path make_temp_dir(const std::string& name) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("joule-serve-" + name + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// Writes `text` to `path` atomically (a new file renamed over the old one),
// so a reader never sees it half written.
inline void replace_file(const std::filesystem::path& path, const std::string& text) {
  const auto temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(temporary, path);
}

// Rewrites `path` in place, as the kernel regenerates a cgroup's cpu.stat:
// the exporter holds that file open and preads it, so a file renamed over it
// would go unseen. One pwrite(2), then the tail of a longer old text is cut;
// a reader in between sees the new first line (usage_usec) whole.
inline void rewrite_in_place(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  const bool whole =
      ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()) &&
      ::ftruncate(fd, static_cast<off_t>(text.size())) == 0;
  ::close(fd);
  if (!whole) throw std::runtime_error("cannot rewrite " + path.string());
}

// One machine: package-0 at `power`, two busy CPUs, and a cgroup
// system.slice/app.service using `app_share` of the busy CPU time.
class FakeHost {
 public:
  FakeHost(const std::string& name, double power_w, double app_share)
      : dir_(make_temp_dir(name)), power_w_(power_w), app_share_(app_share) {
    const auto zone = dir_ / "sys/class/powercap/intel-rapl:0";
    std::filesystem::create_directories(zone);
    std::ofstream(zone / "name") << "package-0\n";
    std::ofstream(zone / "max_energy_range_uj") << "262143328850\n";
    std::filesystem::create_directories(dir_ / "proc");
    std::filesystem::create_directories(dir_ / "cgroup/system.slice/app.service");
    std::filesystem::create_directories(dir_ / "cgroup/system.slice/other.service");
    energy_fd_ = ::open((zone / "energy_uj").c_str(), O_WRONLY | O_CREAT, 0644);
    drive(0);
  }
  ~FakeHost() {
    ::close(energy_fd_);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  double power_w() const { return power_w_; }
  double app_share() const { return app_share_; }
  const std::filesystem::path& dir() const { return dir_; }

  // The state `elapsed_s` after the start. The counter is rewritten in place
  // with one pwrite of a fixed width: the sensor keeps it open, as it keeps
  // the real sysfs file.
  void drive(double elapsed_s) {
    const auto energy_uj = static_cast<unsigned long long>(1e6 + power_w_ * elapsed_s * 1e6);
    const std::string counter = fmt::format("{:020}\n", energy_uj);
    [[maybe_unused]] auto n = ::pwrite(energy_fd_, counter.data(), counter.size(), 0);
    // Two CPUs busy all the time: 200 jiffies (USER_HZ 100) a second.
    const auto busy = static_cast<unsigned long long>(1000 + 200 * elapsed_s);
    replace_file(dir_ / "proc/stat", fmt::format("cpu  {} 0 0 5000 0 0 0 0 0 0\n", busy));
    const auto app_us = static_cast<unsigned long long>(app_share_ * 2e6 * elapsed_s);
    rewrite_in_place(dir_ / "cgroup/system.slice/app.service/cpu.stat",
                     fmt::format("usage_usec {}\nuser_usec 0\n", app_us));
    rewrite_in_place(dir_ / "cgroup/system.slice/other.service/cpu.stat", "usage_usec 0\n");
  }

  std::map<std::string, std::string> env() const {
    return {{"JOULE_SENSORS", "rapl-powercap"},
            {"JOULE_SYSFS_ROOT", (dir_ / "sys").string()},
            {"JOULE_PROC_ROOT", (dir_ / "proc").string()},
            {"JOULE_SERVE", (dir_ / "serve.sock").string()},
            {"XDG_CONFIG_HOME", (dir_ / "config").string()},
            {"JOULE_COUNTRY", "FR"},
            {"JOULE_TRACE", "\x01unset"}};
  }

 private:
  std::filesystem::path dir_;
  double power_w_;
  double app_share_;
  int energy_fd_ = -1;
};

// Drives hosts from a thread every 20 ms until destroyed.
class HostDriver {
 public:
  explicit HostDriver(std::vector<FakeHost*> hosts) : hosts_(std::move(hosts)) {
    thread_ = std::thread([this] {
      // The counters must follow the clock even on a loaded machine: a
      // real-time priority where the test may take one (root), else none.
      sched_param priority{};
      priority.sched_priority = 1;
      pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority);
      const auto start = std::chrono::steady_clock::now();
      while (!stop_) {
        const double t =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        for (auto* h : hosts_) h->drive(t);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~HostDriver() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::vector<FakeHost*> hosts_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// `joule serve` for a host on a free port, stopped by its pid at the end.
class ServeProcess {
 public:
  ServeProcess(const FakeHost& host, std::vector<std::string> extra = {},
               std::map<std::string, std::string> more_env = {})
      : port_(free_port()), log_(host.dir() / fmt::format("serve-{}.log", port_)) {
    std::vector<std::string> argv = {joule_binary(),  "serve",
                                     "--listen",      fmt::format("127.0.0.1:{}", port_),
                                     "--cgroup-root", (host.dir() / "cgroup").string(),
                                     "--coarsen",     "off"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto env = host.env();
    for (auto& [k, v] : more_env) env[k] = v;
    process_ = std::make_unique<BackgroundProcess>(argv, env, log_);
  }
  int port() const { return port_; }
  BackgroundProcess& process() { return *process_; }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Waits until /metrics answers (at most `limit`).
  bool ready(std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    httplib::Client client("127.0.0.1", port_);
    while (std::chrono::steady_clock::now() < until) {
      if (auto res = client.Get("/metrics"); res && res->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  int port_;
  std::filesystem::path log_;
  std::unique_ptr<BackgroundProcess> process_;
};

// The value of the sample whose line starts with `prefix` (name and labels).
inline std::optional<double> sample_value(const std::string& exposition,
                                          const std::string& prefix) {
  std::size_t pos = 0;
  while ((pos = exposition.find(prefix, pos)) != std::string::npos) {
    if (pos == 0 || exposition[pos - 1] == '\n') {
      // The value follows the line's last space (label values may hold spaces).
      const auto end = exposition.find('\n', pos);
      const auto space = exposition.rfind(' ', end);
      return std::stod(exposition.substr(space + 1, end - space - 1));
    }
    pos += prefix.size();
  }
  return std::nullopt;
}

}  // namespace joule::testing
