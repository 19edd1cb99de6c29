#pragma once
// A temporary /proc tree (stat, cpuinfo, meminfo) whose CPU times the test
// advances itself, so the estimator's dynamic energy is known exactly.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace joule::testing {

class FakeProc {
 public:
  explicit FakeProc(int n_vcpu,
                    std::string model_name = "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
                    unsigned long long mem_total_kib = 16ull * 1024 * 1024)
      : root_(std::filesystem::temp_directory_path() /
              fmt::format("joule-estimator-{}-{}", ::getpid(), counter()++)),
        busy_(n_vcpu, 0),
        idle_(n_vcpu, 0) {
    std::filesystem::create_directories(root_);
    std::string cpuinfo;
    for (int i = 0; i < n_vcpu; ++i) {
      cpuinfo += fmt::format("processor\t: {}\nvendor_id\t: GenuineIntel\n", i);
      if (!model_name.empty()) cpuinfo += fmt::format("model name\t: {}\n", model_name);
      cpuinfo += "physical id\t: 0\n\n";
    }
    write("cpuinfo", cpuinfo);
    write("meminfo",
          fmt::format("MemTotal:       {} kB\nMemFree:         1000 kB\n", mem_total_kib));
    write_stat();
  }
  ~FakeProc() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // Adds busy jiffies to one CPU; split over user, system, irq, softirq and
  // steal so that every busy field is exercised. Idle/iowait grow too, and
  // must not count.
  void advance(int cpu, unsigned long long busy_jiffies, unsigned long long idle_jiffies = 0) {
    busy_[cpu] += busy_jiffies;
    idle_[cpu] += idle_jiffies;
    write_stat();
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name, std::ios::binary | std::ios::trunc) << text;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  // user nice system idle iowait irq softirq steal guest guest_nice; guest is
  // already inside user, so a guest value must not be added again.
  static std::string line(const std::string& name, unsigned long long busy,
                          unsigned long long idle) {
    const auto user = busy / 2, nice = busy / 10, irq = busy / 20, softirq = busy / 20;
    const auto steal = busy / 10, system = busy - user - nice - irq - softirq - steal;
    const auto iowait = idle / 4;
    return fmt::format("{} {} {} {} {} {} {} {} {} {} 0\n", name, user, nice, system, idle - iowait,
                       iowait, irq, softirq, steal, user / 3);
  }
  void write_stat() {
    unsigned long long busy = 0, idle = 0;
    for (std::size_t i = 0; i < busy_.size(); ++i) {
      busy += busy_[i];
      idle += idle_[i];
    }
    std::string text = line("cpu ", busy, idle);
    for (std::size_t i = 0; i < busy_.size(); ++i)
      text += line(fmt::format("cpu{}", i), busy_[i], idle_[i]);
    text += "intr 12345 0 0\nctxt 999\nbtime 1700000000\nprocesses 42\n";
    write("stat", text);
  }

  std::filesystem::path root_;
  std::vector<unsigned long long> busy_;
  std::vector<unsigned long long> idle_;
};

}  // namespace joule::testing
