#include "run/control_channel.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace joule::run;
using Kind = ControlMessage::Kind;

TEST(ControlProtocol, ParsesEachMessage) {
  auto phase = parse_control_line("phase epoch 3\n");
  ASSERT_TRUE(phase.message);
  EXPECT_EQ(phase.message->kind, Kind::phase);
  EXPECT_EQ(phase.message->name, "epoch 3");

  auto end = parse_control_line("  end-phase ");
  ASSERT_TRUE(end.message);
  EXPECT_EQ(end.message->kind, Kind::end_phase);

  auto units = parse_control_line("units 32 inference");
  ASSERT_TRUE(units.message);
  EXPECT_EQ(units.message->kind, Kind::units);
  EXPECT_DOUBLE_EQ(units.message->count, 32);
  EXPECT_EQ(units.message->unit, "inference");

  auto bare = parse_control_line("units 0.5");
  ASSERT_TRUE(bare.message);
  EXPECT_DOUBLE_EQ(bare.message->count, 0.5);
  EXPECT_EQ(bare.message->unit, "");
}

TEST(ControlProtocol, ExplainsBadLines) {
  EXPECT_NE(parse_control_line("phase").error.find("needs a name"), std::string::npos);
  EXPECT_NE(parse_control_line("units -1").error.find("non-negative"), std::string::npos);
  EXPECT_NE(parse_control_line("units many").error.find("non-negative"), std::string::npos);
  EXPECT_NE(parse_control_line("jump").error.find("unknown"), std::string::npos);
}

TEST(ControlProtocol, FormatsWhatItParses) {
  for (const ControlMessage& m :
       {ControlMessage{.kind = Kind::phase, .name = "warm up"},
        ControlMessage{.kind = Kind::end_phase},
        ControlMessage{.kind = Kind::units, .count = 128, .unit = "token"},
        ControlMessage{.kind = Kind::units, .count = 2.5}}) {
    auto parsed = parse_control_line(format_control_message(m));
    ASSERT_TRUE(parsed.message) << format_control_message(m);
    EXPECT_EQ(*parsed.message, m);
  }
}

class ControlChannel : public ::testing::Test {
 protected:
  void SetUp() override { server_ = ControlServer::create(fs::temp_directory_path()); }
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlChannel, DeliversMessagesInTheOrderSent) {
  // More messages than the socket queues (net.unix.max_dgram_qlen): the
  // sender blocks until the reader drains, as with a busy joule.
  std::thread sender([path = server_->path()] {
    for (int i = 0; i < 50; ++i) {
      send_control(path, format_control_message({Kind::phase, std::to_string(i), 0, ""}));
      send_control(path, format_control_message({Kind::units, "", double(i), "sample"}));
    }
  });
  std::vector<std::string> errors;
  std::vector<ControlEvent> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events.size() < 100 && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{server_->fd(), POLLIN, 0};
    ::poll(&fd, 1, 100);
    for (auto& e : server_->drain(errors)) events.push_back(std::move(e));
  }
  sender.join();
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(events.size(), 100u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(events[2 * i].message.name, std::to_string(i));
    EXPECT_DOUBLE_EQ(events[2 * i + 1].message.count, i);
    if (i > 0) EXPECT_GE(events[2 * i].received, events[2 * i - 1].received);
  }
}

TEST_F(ControlChannel, ReadsSeveralLinesPerDatagramAndReportsBadOnes) {
  send_control(server_->path(), "phase a\nbogus\nunits 3\nend-phase\n");
  std::vector<std::string> errors;
  auto events = server_->drain(errors);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].message.kind, Kind::phase);
  EXPECT_EQ(events[1].message.kind, Kind::units);
  EXPECT_EQ(events[2].message.kind, Kind::end_phase);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("bogus"), std::string::npos);
}

TEST_F(ControlChannel, AcceptsMessagesFromOtherProcesses) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      send_control(server_->path(), "phase from child\n");
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::vector<std::string> errors;
  auto events = server_->drain(errors);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].message.name, "from child");
}

TEST_F(ControlChannel, RemovesItsSocketAndDirectory) {
  fs::path path = server_->path();
  ASSERT_TRUE(fs::exists(path));
  server_.reset();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path.parent_path()));
  try {
    send_control(path, "phase late\n");
    FAIL() << "sending to a closed channel must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no joule run is listening"), std::string::npos);
  }
}

TEST(ControlEnvironment, ReadsJouleControl) {
  ::setenv(kControlEnvironmentVariable, "/run/user/1/joule-x/control", 1);
  EXPECT_EQ(control_socket_from_environment(), fs::path("/run/user/1/joule-x/control"));
  ::setenv(kControlEnvironmentVariable, "", 1);
  EXPECT_FALSE(control_socket_from_environment());
  ::unsetenv(kControlEnvironmentVariable);
  EXPECT_FALSE(control_socket_from_environment());
}

TEST(ControlProtocol, AnAppLineNamesTheApplication) {
  auto parsed = parse_control_line("app  chat server ");
  ASSERT_TRUE(parsed.message);
  EXPECT_EQ(parsed.message->kind, Kind::application);
  EXPECT_EQ(parsed.message->name, "chat server");
  EXPECT_EQ(format_control_message(*parsed.message), "app chat server\n");
  EXPECT_FALSE(parse_control_line("app").message);
}

TEST(ControlServer, BindAtAKnownPathReplacesAStaleSocketOnly) {
  const fs::path dir = fs::temp_directory_path() / ("joule-bind-at-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    auto first = ControlServer::bind_at(dir / "serve.sock", 0600);
    EXPECT_EQ(fs::status(dir / "serve.sock").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    send_control(dir / "serve.sock", "app a\nunits 1\nunits 2\n");
    std::vector<std::string> errors;
    auto events = first->drain(errors);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].datagram, events[2].datagram);
  }
  // A socket file left behind by a killed server is replaced.
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, (dir / "stale.sock").c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
  EXPECT_NO_THROW(ControlServer::bind_at(dir / "stale.sock"));
  std::ofstream(dir / "file") << "not a socket";
  EXPECT_THROW(ControlServer::bind_at(dir / "file"), std::runtime_error);
  fs::remove_all(dir);
}

TEST(ControlProtocol, ARankPrefixTagsAnyMessage) {
  auto parsed = parse_control_line("rank=3 phase epoch 1");
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->kind, ControlMessage::Kind::phase);
  EXPECT_EQ(parsed.message->name, "epoch 1");
  EXPECT_EQ(parsed.message->rank, 3);
  EXPECT_FALSE(parse_control_line("phase epoch 1").message->rank.has_value());

  parsed = parse_control_line("rank=1 hello pid=4242 job=torchelastic-7 world=4");
  ASSERT_TRUE(parsed.message) << parsed.error;
  EXPECT_EQ(parsed.message->kind, ControlMessage::Kind::hello);
  EXPECT_EQ(parsed.message->pid, 4242);
  EXPECT_EQ(parsed.message->job, "torchelastic-7");
  EXPECT_EQ(parsed.message->world, 4);
  // What the bindings send reads back the same.
  EXPECT_EQ(parse_control_line(format_control_message(*parsed.message)).message, parsed.message);
  EXPECT_EQ(parse_control_line("rank=0 bye").message->kind, ControlMessage::Kind::bye);
}

TEST(ControlProtocol, BadRanksAndHellosAreExplained) {
  EXPECT_NE(parse_control_line("rank=x phase a").error.find("'rank=' needs a non-negative"),
            std::string::npos);
  EXPECT_NE(parse_control_line("rank=-1 phase a").error.find("'rank=' needs"), std::string::npos);
  EXPECT_NE(parse_control_line("rank=0 hello pid=0").error.find("pid=<positive integer>"),
            std::string::npos);
  EXPECT_NE(parse_control_line("rank=0 hello colour=blue").error.find("takes pid=P"),
            std::string::npos);
}
