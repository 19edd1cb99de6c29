// Every misuse is a UsageError with a message naming the scope; none is UB.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "api_fixture.hpp"

namespace joule {
namespace {

using test::trace_options;
using ::testing::HasSubstr;

template <class F>
std::string usage_error_of(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no UsageError";
}

TEST(Misuse, EndingTwice) {
  Session session(trace_options());
  auto scope = session.scope("epoch 3");
  scope.end();
  EXPECT_THAT(usage_error_of([&] { scope.end(); }), HasSubstr("'epoch 3' has already ended"));
}

TEST(Misuse, UnitsOnAnEndedScope) {
  Session session(trace_options());
  auto scope = session.scope("s");
  scope.end();
  EXPECT_THAT(usage_error_of([&] { scope.add_units(1); }), HasSubstr("it has ended"));
}

TEST(Misuse, BadUnitCounts) {
  Session session(trace_options());
  auto scope = session.scope("s");
  EXPECT_THAT(usage_error_of([&] { scope.add_units(-1); }), HasSubstr(">= 0"));
  EXPECT_THAT(usage_error_of([&] { scope.add_units(NAN); }), HasSubstr(">= 0"));
  EXPECT_THAT(usage_error_of([&] { scope.add_units(INFINITY); }), HasSubstr(">= 0"));
  EXPECT_DOUBLE_EQ(scope.end().unit_count(), 0);
}

TEST(Misuse, ResultWhileOpen) {
  Session session(trace_options());
  auto scope = session.scope("s");
  EXPECT_THAT(usage_error_of([&] { (void)scope.result(); }), HasSubstr("still open"));
  scope.end();
  EXPECT_EQ(scope.result().name, "s");
}

TEST(Misuse, SessionUsedAfterShutdown) {
  Session session(trace_options());
  auto open = session.scope("open across shutdown");
  session.shutdown();
  session.shutdown();  // idempotent
  EXPECT_TRUE(session.is_shut_down());
  EXPECT_TRUE(session.domains().empty());
  EXPECT_THROW(session.scope("late"), SessionShutDown);
  EXPECT_THAT(usage_error_of([&] { session.scope("late"); }), HasSubstr("shut down"));
  EXPECT_THROW(open.add_units(1), SessionShutDown);
  EXPECT_THROW(open.end(), SessionShutDown);
}

TEST(Misuse, ScopeOutlivingItsSession) {
  std::optional<Scope> scope;
  {
    Session session(trace_options());
    scope.emplace(session.scope("orphan"));
  }
  EXPECT_THROW(scope->end(), SessionShutDown);
  scope.reset();  // destructor of an ended scope: nothing to do, no throw
}

TEST(Misuse, MovedFromObjects) {
  Session session(trace_options());
  auto a = session.scope("a");
  Scope b = std::move(a);
  EXPECT_FALSE(a.open());  // NOLINT(bugprone-use-after-move): that is the test
  EXPECT_THAT(usage_error_of([&] { a.end(); }), HasSubstr("moved from"));
  EXPECT_TRUE(b.open());
  Session other = std::move(session);
  EXPECT_THAT(usage_error_of([&] { session.scope("x"); }), HasSubstr("moved from"));
  EXPECT_FALSE(other.is_shut_down());
}

TEST(Misuse, ControlModeWithoutSocket) {
  auto options = trace_options();
  options.mode = SessionMode::control;
  ::unsetenv("JOULE_CONTROL");
  try {
    Session session(std::move(options));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("joule run"));
  }
}

}  // namespace
}  // namespace joule
