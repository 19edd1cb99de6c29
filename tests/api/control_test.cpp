// Under `joule run`, scopes are phases and units go to the run. A real
// ControlServer (the one joule run uses) stands in for the run.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "api_fixture.hpp"
#include "run/control_channel.hpp"

namespace joule {
namespace {

using Kind = run::ControlMessage::Kind;

std::vector<run::ControlMessage> drain(run::ControlServer& server) {
  std::vector<std::string> errors;
  std::vector<run::ControlMessage> out;
  for (auto& e : server.drain(errors)) out.push_back(e.message);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return out;
}

std::string text(const std::vector<run::ControlMessage>& messages) {
  std::string out;
  for (const auto& m : messages) out += run::format_control_message(m);
  return out;
}

class ControlMode : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("joule-api-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    server_ = run::ControlServer::create(dir_);
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  SessionOptions options(SessionMode mode = SessionMode::automatic) {
    auto o = test::trace_options();
    o.mode = mode;
    o.control_socket = server_->path();
    return o;
  }
  std::filesystem::path dir_;
  std::unique_ptr<run::ControlServer> server_;
};

TEST_F(ControlMode, AutomaticModeChoosesTheRunWhenThereIsASocket) {
  Session session(options());
  EXPECT_EQ(session.mode(), SessionMode::control);
  EXPECT_TRUE(session.reports_to_run());
  EXPECT_TRUE(session.domains().empty());  // nothing measured here
  EXPECT_FALSE(session.carbon_context());
}

TEST_F(ControlMode, InnermostScopeIsThePhase) {
  Session session(options());
  auto train = session.scope("train", "sample");
  auto epoch = session.scope("epoch 1\nsneaky");  // newlines cannot split a message
  epoch.add_units(64);
  epoch.add_units(2, "epoch");
  const auto& r = epoch.end();
  train.end();
  EXPECT_TRUE(r.reported_to_run);
  EXPECT_DOUBLE_EQ(r.energy().joules, 0);
  EXPECT_THROW(r.footprint(), UsageError);
  EXPECT_EQ(text(drain(*server_)),
            "phase train\nphase epoch 1 sneaky\nunits 64\nunits 2 epoch\nphase train\nend-phase\n");
}

TEST_F(ControlMode, NextEndsOnePhaseAndStartsTheNext) {
  Session session(options());
  auto first = session.scope("epoch 1");
  auto second = first.next("epoch 2");
  EXPECT_TRUE(first.result().reported_to_run);
  second.end();
  EXPECT_EQ(text(drain(*server_)), "phase epoch 1\nend-phase\nphase epoch 2\nend-phase\n");
}

TEST_F(ControlMode, ScopeWithAUnitSendsItsName) {
  Session session(options());
  auto s = session.scope("serve", "request");
  s.add_units(3);
  s.end();
  auto messages = drain(*server_);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1], (run::ControlMessage{.kind = Kind::units, .count = 3, .unit = "request"}));
}

TEST_F(ControlMode, ClosingAnOuterScopeFirstKeepsTheInnerPhase) {
  Session session(options());
  auto outer = session.scope("outer");
  auto inner = session.scope("inner");
  outer.end();  // not the current phase: nothing to say
  inner.end();
  EXPECT_EQ(drain(*server_), (std::vector<run::ControlMessage>{{Kind::phase, "outer", 0, ""},
                                                               {Kind::phase, "inner", 0, ""},
                                                               {Kind::end_phase, "", 0, ""}}));
}

TEST_F(ControlMode, ShutdownEndsTheOpenPhase) {
  Session session(options());
  auto open = session.scope("cut short");
  session.shutdown();
  EXPECT_THROW(open.end(), SessionShutDown);
  EXPECT_EQ(drain(*server_), (std::vector<run::ControlMessage>{{Kind::phase, "cut short", 0, ""},
                                                               {Kind::end_phase, "", 0, ""}}));
}

TEST_F(ControlMode, ARunThatHasEndedIsAClearError) {
  Session session(options());
  server_.reset();  // the socket is gone
  try {
    session.scope("late");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no joule run is listening"), std::string::npos)
        << e.what();
  }
}

TEST_F(ControlMode, LocalModeIgnoresTheSocket) {
  Session session(options(SessionMode::local));
  session.scope("here").end();
  EXPECT_TRUE(drain(*server_).empty());
}

// Under torchrun (RANK set) every message carries the rank, the session says
// hello with its pid, job and world size, and goodbye when it shuts down.
TEST_F(ControlMode, ARankTagsItsMessagesAndSaysHelloAndGoodbye) {
  ::setenv("RANK", "2", 1);
  ::setenv("WORLD_SIZE", "4", 1);
  ::setenv("TORCHELASTIC_RUN_ID", "te-9", 1);
  {
    Session session(options());
    session.scope("train").end();
  }
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("TORCHELASTIC_RUN_ID");
  EXPECT_EQ(text(drain(*server_)),
            fmt::format("rank=2 hello pid={} job=te-9 world=4\nrank=2 phase train\nrank=2 "
                        "end-phase\nrank=2 bye\n",
                        ::getpid()));
}

TEST_F(ControlMode, ARankThatIsNotANumberIsAUsageError) {
  ::setenv("RANK", "first", 1);
  EXPECT_THROW(Session session(options()), UsageError);
  ::unsetenv("RANK");
}

TEST_F(ControlMode, AWorldSizeThatIsNotANumberIsAUsageError) {
  ::setenv("RANK", "0", 1);
  for (const char* bad : {"four", "0", "-2", "4 nodes"}) {
    ::setenv("WORLD_SIZE", bad, 1);
    try {
      Session session(options());
      ADD_FAILURE() << "WORLD_SIZE=" << bad << " accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("WORLD_SIZE"), std::string::npos) << e.what();
    }
  }
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("RANK");
}

}  // namespace
}  // namespace joule
