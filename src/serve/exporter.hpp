#pragma once
// The HTTP side of `joule serve`: /metrics in the Prometheus text format or
// OpenMetrics (by the Accept header), optional TLS and basic auth (a web
// config, web_config.hpp), and the control socket applications report to.
// Each scrape folds the interval since the last one into the collector, so
// between scrapes the exporter only sleeps.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "run/control_channel.hpp"
#include "serve/collector.hpp"
#include "serve/web_config.hpp"

namespace httplib {
class Server;
}

namespace joule::serve {

inline constexpr const char* kDefaultHost = "127.0.0.1";
inline constexpr int kDefaultPort = 9464;

struct ExporterOptions {
  std::string host = kDefaultHost;
  int port = kDefaultPort;  // 0: any free port (tests)
  std::optional<WebConfig> web;
  // Worker threads; more concurrent scrapes wait in the accept queue.
  int threads = 4;
  std::filesystem::path control_socket;  // empty: no control socket
  unsigned control_socket_mode = 0660;
};

class Exporter {
 public:
  // Binds the address and the control socket; throws std::runtime_error
  // naming what could not be bound.
  Exporter(Collector& collector, ExporterOptions options);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& control_socket() const;
  // Serves until stop(); returns once every worker has finished.
  void run();
  // Thread-safe; may be called before or during run().
  void stop();

 private:
  void install_routes();
  std::string scrape(ExpositionFormat format);
  void control_loop();

  Collector& collector_;
  ExporterOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<BasicAuth> auth_;
  std::unique_ptr<run::ControlServer> control_;
  int port_ = 0;
  std::mutex collector_mutex_;
  std::atomic<double> last_scrape_seconds_{0};
  std::atomic<std::uint64_t> scrapes_{0};
  int wake_pipe_[2] = {-1, -1};
  std::thread control_thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace joule::serve
