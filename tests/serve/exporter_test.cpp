// `joule serve` as a process: what a scraper sees, what a bad client gets,
// a burst of concurrent scrapes, TLS and basic auth from a web config, and a
// clean exit on SIGTERM.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <future>
#include <thread>

#include "run/control_channel.hpp"
#include "serve/serve_support.hpp"

namespace joule::testing {
namespace {

// `htpasswd -nbBC 5 prometheus secret`
constexpr const char* kSecretHash = "$2y$05$NUIF0XrdEEmTi6nPn.8vyOFx56rtckdwHDGDhGgkbVHeClQWtCDni";

// Sends raw bytes and returns the status line's code (0 when the server
// closed without answering).
int raw_request(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may stop reading and answer early
    sent += static_cast<std::size_t>(n);
  }
  char buffer[64] = {};
  const auto n = ::recv(fd, buffer, sizeof buffer - 1, 0);
  ::close(fd);
  if (n < 12) return 0;
  return std::atoi(buffer + 9);  // "HTTP/1.1 400 ..."
}

class Exporter : public ::testing::Test {
 protected:
  FakeHost host_{"exporter", 30.0, 0.5};
};

TEST_F(Exporter, ServesBothFormatsAndApplicationUnits) {
  ServeProcess serve(host_);
  ASSERT_TRUE(serve.ready()) << serve.log();
  run::send_control(host_.dir() / "serve.sock", "app chat\nunits 3 request\nphase decode\n");
  httplib::Client client("127.0.0.1", serve.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto text = client.Get("/metrics");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 200);
  EXPECT_NE(text->get_header_value("Content-Type").find("version=0.0.4"), std::string::npos);
  EXPECT_EQ(sample_value(text->body,
                         "joule_application_units_total{application=\"chat\",unit=\"request\"}"),
            3);
  EXPECT_NE(text->body.find("joule_application_phase_seconds_total{application=\"chat\","
                            "phase=\"decode\"}"),
            std::string::npos);
  EXPECT_NE(text->body.find("joule_exporter_cpu_seconds_total "), std::string::npos);
  auto om = client.Get("/metrics", {{"Accept", "application/openmetrics-text;version=1.0.0"}});
  ASSERT_TRUE(om);
  EXPECT_NE(om->get_header_value("Content-Type").find("openmetrics"), std::string::npos);
  EXPECT_TRUE(om->body.ends_with("# EOF\n"));
  EXPECT_NE(serve.log().find("warning: listening on"), std::string::npos)
      << "a non-default address must warn";
}

TEST_F(Exporter, BadRequestsGetA4xxAndTheServerLivesOn) {
  ServeProcess serve(host_);
  ASSERT_TRUE(serve.ready()) << serve.log();
  const int port = serve.port();
  EXPECT_EQ(raw_request(port, "GARBAGE\r\n\r\n") / 100, 4);
  EXPECT_EQ(raw_request(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'a') +
                                  "\r\n\r\n") /
                100,
            4);
  EXPECT_EQ(raw_request(port, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n") / 100, 4);
  EXPECT_EQ(
      raw_request(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" +
                            std::string(4096, 'b')) /
          100,
      4);
  EXPECT_EQ(raw_request(port, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
  EXPECT_TRUE(serve.process().running());
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(Exporter, TwoHundredConcurrentScrapesAllSucceed) {
  ServeProcess serve(host_);
  ASSERT_TRUE(serve.ready()) << serve.log();
  std::vector<std::future<int>> scrapes;
  for (int i = 0; i < 200; ++i) {
    scrapes.push_back(std::async(std::launch::async, [port = serve.port()] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(30, 0);
      auto res = client.Get("/metrics");
      return res && res->body.find("joule_energy_joules_total") != std::string::npos ? res->status
                                                                                     : 0;
    }));
  }
  int ok = 0;
  for (auto& s : scrapes) ok += s.get() == 200 ? 1 : 0;
  EXPECT_EQ(ok, 200);
  httplib::Client client("127.0.0.1", serve.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  // Bounded memory: the burst leaves the exporter small.
  const auto rss = sample_value(res->body, "joule_exporter_resident_memory_bytes");
  ASSERT_TRUE(rss);
  EXPECT_LT(*rss, 64e6);
}

TEST_F(Exporter, SigtermEndsItCleanly) {
  ServeProcess serve(host_);
  ASSERT_TRUE(serve.ready()) << serve.log();
  const auto socket = host_.dir() / "serve.sock";
  EXPECT_TRUE(std::filesystem::exists(socket));
  ::kill(serve.process().pid(), SIGTERM);
  auto code = serve.process().wait_for(std::chrono::seconds(5));
  ASSERT_TRUE(code) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*code, 0) << serve.log();
  EXPECT_FALSE(std::filesystem::exists(socket)) << "the control socket is removed";
}

TEST_F(Exporter, TlsAndBasicAuthFromAWebConfig) {
  const auto dir = host_.dir();
  auto openssl =
      run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                   (dir / "server.key").string(), "-out", (dir / "server.crt").string(), "-days",
                   "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  if (openssl.exit_code != 0) GTEST_SKIP() << "openssl cannot make a certificate: " << openssl.err;
  std::ofstream(dir / "web.yml") << "tls_server_config:\n  cert_file: server.crt\n"
                                    "  key_file: server.key\nbasic_auth_users:\n  prometheus: "
                                 << kSecretHash << "\n";
  ServeProcess serve(host_, {"--web-config", (dir / "web.yml").string()});
  httplib::SSLClient client("127.0.0.1", serve.port());
  client.set_ca_cert_path((dir / "server.crt").c_str());
  client.enable_server_certificate_verification(true);
  client.set_basic_auth("prometheus", "secret");
  auto res = client.Get("/metrics");
  for (int i = 0; i < 100 && !res; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    res = client.Get("/metrics");
  }
  ASSERT_TRUE(res) << serve.log() << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("joule_energy_joules_total"), std::string::npos);
  client.set_basic_auth("prometheus", "wrong");
  auto refused = client.Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->body.find("joule_energy"), std::string::npos);
  // Plain HTTP to the TLS port gets no metrics.
  httplib::Client plain("127.0.0.1", serve.port());
  auto cleartext = plain.Get("/metrics");
  EXPECT_TRUE(!cleartext || cleartext->status != 200);
}

TEST_F(Exporter, AMalformedWebConfigIsAnErrorNamingTheLine) {
  std::ofstream(host_.dir() / "web.yml") << "basic_auth_users:\n  prometheus: hunter2\n";
  auto r = run_command({joule_binary(), "serve", "--listen", "127.0.0.1:0", "--web-config",
                        (host_.dir() / "web.yml").string()},
                       host_.env());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("web.yml:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bcrypt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace joule::testing
