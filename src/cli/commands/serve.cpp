// `joule serve`: a Prometheus exporter of the machine's energy, its share per
// cgroup, what applications report, and the carbon of it (src/serve/).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <thread>

#include <fmt/format.h>

#include "carbon/quantity.hpp"
#include "cli/command.hpp"
#include "cli/place_options.hpp"
#include "joule/format.hpp"
#include "serve/exporter.hpp"

namespace joule::cli {
namespace {

struct ServeArgs {
  std::string listen = fmt::format("{}:{}", serve::kDefaultHost, serve::kDefaultPort);
  std::string web_config;
  std::string control;
  bool no_control = false;
  std::string cgroup_root = "/sys/fs/cgroup";
  int cgroup_depth = 2;
  std::size_t max_cgroups = 500;
  int cgroup_rescan_s = 60;
  bool no_cgroups = false;
  std::string coarsen = "auto";
  bool no_carbon = false;
  std::string embodied;
  double lifetime_years = 0;
  std::string share;
  int threads = 4;
  PlaceOptionValues place;
};

std::pair<std::string, int> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const char* begin = text.data() + colon + 1;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || ptr != end) port = -1;
  }
  if (colon == std::string::npos || colon == 0 || port < 0 || port > 65535) {
    throw CLI::ValidationError("--listen", fmt::format("'{}': expected HOST:PORT, e.g. {}:{}", text,
                                                       serve::kDefaultHost, serve::kDefaultPort));
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, port};
}

serve::Coarsening coarsening(const std::string& mode) {
  serve::Coarsening c;
  if (mode == "on") {
    c.enabled = true;
  } else if (mode == "auto") {
    c.enabled = ::geteuid() == 0;
  } else if (mode != "off") {
    throw CLI::ValidationError("--coarsen", fmt::format("'{}': expected auto, on or off", mode));
  }
  return c;
}

std::optional<serve::CarbonSettings> carbon_settings(const ServeArgs& a) {
  if (a.no_carbon) return std::nullopt;
  serve::CarbonSettings settings{carbon::resolve_context(to_context_options(a.place)), {}};
  if (!a.embodied.empty()) {
    carbon::EmbodiedInput m;
    if (a.embodied.find_first_of("0123456789") == 0) {
      m.total_kg = carbon::parse_mass_kg(a.embodied);
    } else {
      m.device = a.embodied;
    }
    if (a.lifetime_years > 0) m.lifetime_years = a.lifetime_years;
    if (!a.share.empty()) m.share = carbon::parse_fraction(a.share);
    settings.embodied.push_back(m);
  }
  return settings;
}

serve::CollectorOptions collector_options(const ServeArgs& a) {
  serve::CollectorOptions options;
  if (!a.no_cgroups) {
    serve::WorkloadOptions w;
    w.root = a.cgroup_root;
    w.depth = a.cgroup_depth;
    w.max_cgroups = a.max_cgroups;
    w.rescan_interval = std::chrono::seconds(a.cgroup_rescan_s);
    if (const char* proc = std::getenv("JOULE_PROC_ROOT"); proc && *proc) w.proc_root = proc;
    if (const char* nvml = std::getenv("JOULE_NVML_LIBRARY"); nvml && *nvml) w.nvml_library = nvml;
    options.workloads = w;
  }
  options.coarsening = coarsening(a.coarsen);
  options.carbon = carbon_settings(a);
  return options;
}

void print_banner(const serve::Exporter& exporter, const serve::ExporterOptions& options,
                  const Meter& meter, const serve::CollectorOptions& collector) {
  const bool tls = options.web && options.web->tls;
  fmt::print("joule serve: {}://{}:{}/metrics ({} domain{}", tls ? "https" : "http", options.host,
             exporter.port(), meter.domains().size(), meter.domains().size() == 1 ? "" : "s");
  for (const auto& d : meter.domains()) fmt::print(", {} {}", d.id, to_string(d.provenance));
  fmt::print(")\n");
  if (!exporter.control_socket().empty()) {
    fmt::print("joule serve: applications report to {} (set {} to change it)\n",
               exporter.control_socket().string(), run::kServeEnvironmentVariable);
  }
  if (collector.carbon) {
    const auto& ctx = collector.carbon->context;
    fmt::print("joule serve: carbon for {} ({}), decided by {}\n", ctx.location_name,
               ctx.location_code, ctx.how_decided);
  }
  if (collector.coarsening.enabled) {
    fmt::print("joule serve: coarsened readings (once per second, whole joules): CVE-2020-8694\n");
  }
  std::fflush(stdout);
}

// SIGTERM and SIGINT stop the server from a thread that waits for them, so
// the handler-free shutdown can take locks and join threads.
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGUSR1);  // only ever sent by ~SignalStop, to end the waiter
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  void start(serve::Exporter& exporter) {
    waiter_ = std::thread([this, &exporter] {
      int signal = 0;
      sigwait(&set_, &signal);
      if (signal != SIGUSR1) exporter.stop();
    });
  }
  ~SignalStop() {
    if (waiter_.joinable()) {
      pthread_kill(waiter_.native_handle(), SIGUSR1);
      waiter_.join();
    }
  }

 private:
  sigset_t set_{};
  std::thread waiter_;
};

void run_serve(const ServeArgs& a) {
  const std::string default_listen = fmt::format("{}:{}", serve::kDefaultHost, serve::kDefaultPort);
  serve::ExporterOptions options;
  std::tie(options.host, options.port) = parse_listen(a.listen);
  if (a.listen != default_listen) {
    fmt::print(stderr,
               "joule serve: warning: listening on {} rather than {}: anyone who can reach it "
               "reads this machine's energy{}\n",
               a.listen, default_listen,
               a.web_config.empty() ? " (no --web-config: no TLS, no authentication)" : "");
  }
  if (!a.web_config.empty()) options.web = serve::load_web_config(a.web_config);
  if (!a.no_control) {
    options.control_socket =
        a.control.empty() ? run::serve_socket_path() : std::filesystem::path(a.control);
  }
  options.threads = a.threads;

  SignalStop signals;  // before any thread starts, so every thread blocks them
  MeterOptions meter_options;
  meter_options.interval = std::chrono::seconds(1);
  // Scrapes read the counters; between them the sampler only guards against
  // wraps, and the meter shortens this to what each counter's wrap allows.
  meter_options.counter_interval = std::chrono::seconds(60);
  meter_options.timeline_capacity = 64;
  auto meter = Meter::discover(SensorConfig::from_environment(), meter_options);
  if (meter->domains().empty()) {
    throw std::runtime_error(
        "joule serve: no energy sensor found; `joule sensors` says why and what to do");
  }
  const auto collector_settings = collector_options(a);
  serve::Collector collector(*meter, collector_settings);
  if (options.control_socket.has_parent_path()) {
    std::error_code ignored;
    std::filesystem::create_directories(options.control_socket.parent_path(), ignored);
  }
  serve::Exporter exporter(collector, options);
  print_banner(exporter, options, *meter, collector_settings);
  signals.start(exporter);
  exporter.run();
}

const CommandRegistrar registrar("serve", [](CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve", "Prometheus exporter: energy per domain and cgroup, application units, carbon");
  cmd->add_option("--listen", a->listen,
                  "HOST:PORT to serve /metrics on (default 127.0.0.1:9464; any other prints a "
                  "warning)");
  cmd->add_option("--web-config", a->web_config,
                  "exporter-toolkit web config: tls_server_config, basic_auth_users (bcrypt)");
  cmd->add_option("--control", a->control,
                  "Unix socket applications report units and phases to (default: $JOULE_SERVE, "
                  "/run/joule/serve.sock as root, else $XDG_RUNTIME_DIR/joule-serve.sock)");
  cmd->add_flag("--no-control", a->no_control, "open no control socket");
  cmd->add_option("--cgroup-root", a->cgroup_root, "cgroup v2 mount (default /sys/fs/cgroup)");
  cmd->add_option("--cgroup-depth", a->cgroup_depth,
                  "depth of the cgroups exported: 1 = slices, 2 = services and pods (default)")
      ->check(CLI::Range(1, 8));
  cmd->add_option("--max-cgroups", a->max_cgroups, "at most this many cgroup series (default 500)");
  cmd->add_option("--cgroup-rescan", a->cgroup_rescan_s,
                  "seconds between walks of the cgroup tree for new and removed cgroups; a "
                  "new one counts from the walk that finds it (default 60, 0: every scrape)")
      ->check(CLI::Range(0, 86400));
  cmd->add_flag("--no-cgroups", a->no_cgroups, "no per-cgroup energy");
  cmd->add_option("--coarsen", a->coarsen,
                  "auto | on | off: readings once per second in whole joules (auto: when root; "
                  "CVE-2020-8694)");
  cmd->add_flag("--no-carbon", a->no_carbon, "export no carbon metrics");
  cmd->add_option("--embodied", a->embodied,
                  "this machine's hardware, for amortised embodied emissions: server, "
                  "gpu-server, an embodied.csv item, or kgCO2e (1312kg)");
  cmd->add_option("--lifetime", a->lifetime_years,
                  "expected lifetime of --embodied in years (default: the table's, else 4)");
  cmd->add_option("--share", a->share, "share of the --embodied hardware: 0.25, 25% or 2/8");
  cmd->add_option("--threads", a->threads, "HTTP worker threads (default 4)")
      ->check(CLI::Range(1, 256));
  add_place_options(*cmd, a->place);
  cmd->callback([a] { run_serve(*a); });
});

}  // namespace
}  // namespace joule::cli
