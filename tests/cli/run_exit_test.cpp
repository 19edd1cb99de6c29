// `joule run` passes its command's fate through: exit codes, deaths by
// signal, signals sent to joule, and commands that cannot start.
#include "run_support.hpp"

using namespace joule::testing;
using RunExit = RunFixture;

TEST_F(RunExit, ExitCodePassesThrough) {
  auto r = joule({"run", "--no-ledger", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
}

TEST_F(RunExit, SuccessIsZeroAndTheCommandsOutputIsUntouched) {
  auto r = joule({"run", "--no-ledger", "--", "echo", "hello"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n");
}

TEST_F(RunExit, DeathBySignalIs128PlusTheSignal) {
  auto r = joule({"run", "--no-ledger", "--", "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
}

TEST_F(RunExit, SigintToJouleReachesTheCommand) {
  // The command says when its trap is set, then waits; joule is signalled.
  auto out = path("out.txt");
  BackgroundJoule joule_process(
      {"run", "--no-ledger", "--json", path("run.json").string(), "--", "sh", "-c",
       "trap 'echo got-int; exit 42' INT; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.05; "
       "i=$((i+1)); done; exit 3"},
      env(), out);
  ASSERT_GT(joule_process.pid(), 0);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  ::kill(joule_process.pid(), SIGINT);
  EXPECT_EQ(joule_process.wait(), 42);
  EXPECT_TRUE(wait_for_text(out, "got-int", std::chrono::milliseconds(100)));
  // The command caught it and exited 42: the record still says what ended it.
  const auto record = read_json("run.json");
  EXPECT_EQ(record["status"], "finished");
  EXPECT_EQ(record["exit"]["exit_code"], 42);
  EXPECT_EQ(record["exit"]["ended_by_signal"], "SIGINT");
}

TEST_F(RunExit, SigtermToJouleReachesTheCommand) {
  auto out = path("out.txt");
  BackgroundJoule joule_process({"run", "--no-ledger", "--json", path("run.json").string(), "--",
                                 "sh", "-c", "echo ready; exec sleep 5"},
                                env(), out);
  ASSERT_TRUE(wait_for_text(out, "ready"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the exec of sleep
  ::kill(joule_process.pid(), SIGTERM);
  EXPECT_EQ(joule_process.wait(), 128 + SIGTERM);
  const auto record = read_json("run.json");
  EXPECT_EQ(record["exit"]["signal"], SIGTERM);
  EXPECT_EQ(record["exit"]["ended_by_signal"], "SIGTERM");
}

TEST_F(RunExit, ACommandThatEndsUnsignalledNamesNoSignal) {
  auto r = joule({"run", "--no-ledger", "--json", path("run.json").string(), "--", "sh", "-c",
                  "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << r.err;
  const auto record = read_json("run.json");
  EXPECT_EQ(record["exit"]["signal"], SIGTERM);  // it killed itself: joule forwarded nothing
  EXPECT_TRUE(record["exit"]["ended_by_signal"].is_null());
}

TEST_F(RunExit, MissingCommandIs127AndIsRecorded) {
  auto r = joule({"run", "--json", path("run.json").string(), "--", "joule-no-such-command-x"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("joule-no-such-command-x"), std::string::npos) << r.err;
  auto json = read_json("run.json");
  EXPECT_EQ(json["status"], "failed-to-start");
}

TEST_F(RunExit, WordsAfterTheCommandAreItsOwnEvenWithoutDashDash) {
  auto r = joule({"run", "--no-ledger", "sh", "-c", "exit 5"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
}
