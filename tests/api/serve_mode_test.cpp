// Serve mode: an application reports its scopes (as phases) and units to
// `joule serve` under its name, through the socket the exporter binds; an
// exporter that is not there costs the application nothing but a count.
#include <gtest/gtest.h>

#include <filesystem>

#include "api_fixture.hpp"
#include "joule/joule.h"
#include "run/control_channel.hpp"

namespace joule {
namespace {

using Kind = run::ControlMessage::Kind;

class ServeMode : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("joule-serve-mode-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    server_ = run::ControlServer::bind_at(dir_ / "serve.sock");
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  SessionOptions options(std::string application) {
    SessionOptions o;
    o.mode = SessionMode::serve;
    o.control_socket = dir_ / "serve.sock";
    o.application = std::move(application);
    return o;
  }
  std::vector<run::ControlEvent> drain() {
    std::vector<std::string> errors;
    auto events = server_->drain(errors);
    EXPECT_TRUE(errors.empty());
    return events;
  }
  std::filesystem::path dir_;
  std::unique_ptr<run::ControlServer> server_;
};

TEST_F(ServeMode, EveryReportNamesTheApplicationInItsOwnDatagram) {
  Session session(options("chat"));
  EXPECT_EQ(session.mode(), SessionMode::serve);
  EXPECT_TRUE(session.reports_to_run());
  EXPECT_TRUE(session.domains().empty());
  {
    auto request = session.scope("decode", "request");
    request.add_units(1);
    const auto& r = request.end();
    EXPECT_TRUE(r.reported_to_run);
  }
  auto events = drain();
  ASSERT_EQ(events.size(), 6u);  // (app, phase), (app, units), (app, end-phase)
  for (std::size_t i = 0; i < events.size(); i += 2) {
    EXPECT_EQ(events[i].message.kind, Kind::application);
    EXPECT_EQ(events[i].message.name, "chat");
    EXPECT_EQ(events[i].datagram, events[i + 1].datagram);
  }
  EXPECT_EQ(events[1].message.kind, Kind::phase);
  EXPECT_EQ(events[3].message.kind, Kind::units);
  EXPECT_EQ(events[3].message.unit, "request");
  EXPECT_EQ(events[5].message.kind, Kind::end_phase);
  EXPECT_EQ(session.undelivered_reports(), 0u);
}

TEST_F(ServeMode, NoExporterIsCountedNotThrown) {
  auto o = options("chat");
  o.control_socket = dir_ / "nobody-listens.sock";
  Session session(o);
  auto scope = session.scope("decode", "request");
  EXPECT_NO_THROW(scope.add_units(3));
  EXPECT_NO_THROW(scope.end());
  EXPECT_EQ(session.undelivered_reports(), 3u);
}

TEST_F(ServeMode, TheCApiOpensAServeSession) {
  ::setenv("JOULE_SERVE", (dir_ / "serve.sock").c_str(), 1);
  joule_session* session = nullptr;
  ASSERT_EQ(joule_session_open_serve("embed", &session), JOULE_OK) << joule_last_error();
  ::unsetenv("JOULE_SERVE");
  EXPECT_EQ(joule_session_reports_to_run(session), 1);
  joule_scope* scope = nullptr;
  ASSERT_EQ(joule_scope_begin(session, "batch", "request", &scope), JOULE_OK);
  ASSERT_EQ(joule_scope_add_units(scope, 32), JOULE_OK);
  ASSERT_EQ(joule_scope_end(scope, nullptr), JOULE_OK);
  joule_scope_free(scope);
  EXPECT_EQ(joule_session_undelivered_reports(session), 0);
  joule_session_free(session);
  auto events = drain();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].message.name, "embed");
  EXPECT_EQ(events[3].message.count, 32);
}

}  // namespace
}  // namespace joule
