#include "serve/exporter.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "serve/http_answer.hpp"
#include "support/files.hpp"
#include "support/rusage.hpp"

namespace joule::serve {
namespace {

constexpr std::size_t kMaxRequestBody = 1024;  // scrapes are GETs: no body expected

std::unique_ptr<httplib::Server> make_server(const std::optional<WebConfig>& web) {
  if (web && web->tls) {
    auto server = std::make_unique<httplib::SSLServer>(web->tls->cert_file.c_str(),
                                                       web->tls->key_file.c_str());
    if (!server->is_valid()) {
      throw std::runtime_error(fmt::format("cannot load the TLS certificate {} and key {}",
                                           web->tls->cert_file.string(),
                                           web->tls->key_file.string()));
    }
    return server;
  }
  return std::make_unique<httplib::Server>();
}

// Resident memory from /proc/self/statm (pages), for the self-metrics.
double resident_bytes() {
  auto text = support::read_small_file("/proc/self/statm", 256);
  if (!text) return 0;
  unsigned long size = 0, resident = 0;
  if (std::sscanf(text->c_str(), "%lu %lu", &size, &resident) != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

// Debian's cpp-httplib listens with a backlog of 5: a burst of scrapes (a
// Prometheus restart, several replicas) would see SYNs dropped and retried a
// second later. listen(2) again on a listening socket only changes its
// backlog, so the server's socket is found by its port and given a larger one.
constexpr int kListenBacklog = 512;

void widen_backlog(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = std::atoi(entry.path().filename().c_str());
    int listening = 0;
    socklen_t length = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) {
      continue;
    }
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) continue;
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    }
    if (bound == port) ::listen(fd, kListenBacklog);
  }
}

}  // namespace

Exporter::Exporter(Collector& collector, ExporterOptions options)
    : collector_(collector), options_(std::move(options)), server_(make_server(options_.web)) {
  if (options_.web && !options_.web->basic_auth_users.empty()) {
    auth_ = std::make_unique<BasicAuth>(options_.web->basic_auth_users);
  }
  const int threads = std::max(1, options_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(kMaxRequestBody);
  // httplib writes the headers and the body separately: with Nagle's
  // algorithm on, the body waits for the client's delayed ACK (40 ms).
  server_->set_tcp_nodelay(true);
  // While a kept-alive connection waits for its next request, httplib polls
  // it every 10 ms: 5 s of that (its default) after each scrape cost more CPU
  // than the scrape. Prometheus's next scrape comes 15 s later, past any
  // such wait, so one second keeps back-to-back clients fast and little more.
  server_->set_keep_alive_timeout(1);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  install_routes();
  port_ = options_.port == 0
              ? server_->bind_to_any_port(options_.host)
              : (server_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port,
                                         std::strerror(errno)));
  }
  widen_backlog(port_);
  if (!options_.control_socket.empty()) {
    control_ = run::ControlServer::bind_at(options_.control_socket, options_.control_socket_mode);
  }
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  if (control_) control_thread_ = std::thread([this] { control_loop(); });
}

Exporter::~Exporter() {
  stop();
  if (control_thread_.joinable()) control_thread_.join();
  for (int fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

const std::filesystem::path& Exporter::control_socket() const {
  static const std::filesystem::path none;
  return control_ ? control_->path() : none;
}

// Every request is answered by answer_request (http_answer.hpp) before
// httplib's own routing; the exception handler stays for anything httplib
// itself throws.
void Exporter::install_routes() {
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string authorization = req.get_header_value("Authorization");
    const std::string accept = req.get_header_value("Accept");
    HttpAnswer answer = answer_request({req.method, req.path, authorization, accept}, auth_.get(),
                                       [this](ExpositionFormat format) { return scrape(format); });
    res.status = answer.status;
    if (answer.www_authenticate) res.set_header("WWW-Authenticate", *answer.www_authenticate);
    res.set_content(answer.body, answer.content_type);
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& error) {
        std::string why = "unknown error";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          why = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content("joule serve: " + why + "\n", "text/plain");
      });
}

std::string Exporter::scrape(ExpositionFormat format) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<MetricFamily> families;
  {
    std::lock_guard lock(collector_mutex_);
    collector_.update();
    families = collector_.families();
  }
  const auto scrapes = scrapes_.fetch_add(1) + 1;
  MetricFamily cpu{"joule_exporter_cpu_seconds",
                   MetricType::counter,
                   "CPU time the exporter has used, every thread included.",
                   "seconds",
                   {}};
  cpu.add({}, support::own_cpu_time().seconds);
  MetricFamily duration{"joule_exporter_scrape_duration_seconds",
                        MetricType::gauge,
                        "How long the previous scrape took to compute and render.",
                        "seconds",
                        {}};
  duration.add({}, last_scrape_seconds_.load());
  MetricFamily count{"joule_exporter_scrapes", MetricType::counter, "Scrapes served.", "", {}};
  count.add({}, static_cast<double>(scrapes));
  MetricFamily memory{"joule_exporter_resident_memory_bytes",
                      MetricType::gauge,
                      "The exporter's resident memory.",
                      "bytes",
                      {}};
  memory.add({}, resident_bytes());
  for (auto* f : {&cpu, &duration, &count, &memory}) families.push_back(std::move(*f));
  std::string body = render(families, format);
  last_scrape_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return body;
}

void Exporter::control_loop() {
  std::vector<std::string> errors;
  for (;;) {
    pollfd fds[2] = {{control_->fd(), POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (stopping_) return;
    if (!(fds[0].revents & POLLIN)) continue;
    auto events = control_->drain(errors);
    errors.clear();  // malformed lines from a client are its own problem
    std::lock_guard lock(collector_mutex_);
    for (const auto& e : events) collector_.handle(e);
  }
}

void Exporter::run() {
  if (stopping_) return;
  server_->listen_after_bind();
}

void Exporter::stop() {
  if (stopping_.exchange(true)) return;
  server_->stop();
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(wake_pipe_[1], &byte, 1);
  }
}

}  // namespace joule::serve
