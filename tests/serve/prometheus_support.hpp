#pragma once
// A real Prometheus for the tests: started on a free loopback port with a
// temporary configuration and data directory, scraping every second, and
// stopped by its pid when the object goes (BackgroundProcess).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "serve/serve_support.hpp"

namespace joule::testing {

inline bool prometheus_installed() {
  return std::filesystem::exists("/usr/bin/prometheus");
}

class PrometheusServer {
 public:
  // `targets`: host:port of each exporter, each with a `host` label.
  PrometheusServer(const std::vector<std::pair<std::string, std::string>>& targets,
                   const std::vector<std::filesystem::path>& rule_files)
      : dir_(make_temp_dir("prometheus")), port_(free_port()) {
    std::ofstream config(dir_ / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
              "  evaluation_interval: 1s\n";
    if (!rule_files.empty()) {
      config << "rule_files:\n";
      for (const auto& f : rule_files) config << "  - " << f.string() << "\n";
    }
    config << "scrape_configs:\n  - job_name: joule\n    static_configs:\n";
    for (const auto& [target, host] : targets) {
      config << fmt::format("      - targets: ['{}']\n        labels:\n          host: {}\n",
                            target, host);
    }
    config.close();
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{
            "/usr/bin/prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
            "--storage.tsdb.path=" + (dir_ / "data").string(),
            fmt::format("--web.listen-address=127.0.0.1:{}", port_), "--log.level=warn"},
        std::map<std::string, std::string>{}, dir_ / "prometheus.log");
  }
  ~PrometheusServer() {
    process_.reset();  // stops it, by pid
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  int port() const { return port_; }
  std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  bool ready(std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    httplib::Client client("127.0.0.1", port_);
    while (std::chrono::steady_clock::now() < until && process_->running()) {
      if (auto res = client.Get("/-/ready"); res && res->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The API's whole answer to an instant query (at `time`, Unix seconds, or now).
  nlohmann::json query(const std::string& promql, std::optional<double> time = std::nullopt) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Params params{{"query", promql}};
    if (time) params.emplace("time", fmt::format("{:.3f}", *time));
    auto res = client.Post("/api/v1/query", params);
    if (!res) return {{"status", "error"}, {"error", "no answer"}};
    return nlohmann::json::parse(res->body, nullptr, false);
  }

  // The value of each series of an instant vector, by the value of `label`.
  std::map<std::string, double> values_by(const std::string& promql, const std::string& label,
                                          std::optional<double> time = std::nullopt) {
    std::map<std::string, double> out;
    auto answer = query(promql, time);
    if (answer.value("status", "") != "success") return out;
    for (const auto& series : answer["data"]["result"]) {
      out[series["metric"].value(label, "")] = std::stod(series["value"][1].get<std::string>());
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  int port_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace joule::testing
