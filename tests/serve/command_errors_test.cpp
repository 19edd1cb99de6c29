// What `joule serve` and `joule fleet` say to a user who got something
// wrong: an error naming what and what was expected, never a hang.
#include <gtest/gtest.h>

#include "serve/serve_support.hpp"

namespace joule::testing {
namespace {

TEST(ServeCommand, ABadListenAddressSaysWhatIsExpected) {
  FakeHost host("listen", 10, 0);
  auto r = run_command({joule_binary(), "serve", "--listen", "localhost"}, host.env());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
}

TEST(ServeCommand, NoSensorIsAnErrorPointingAtJouleSensors) {
  const auto dir = make_temp_dir("nosensor");
  auto r = run_command({joule_binary(), "serve", "--listen", "127.0.0.1:0", "--no-control"},
                       {{"JOULE_SENSORS", "rapl-powercap"},
                        {"JOULE_SYSFS_ROOT", (dir / "sys").string()},
                        {"JOULE_TRACE", "\x01unset"}});
  std::filesystem::remove_all(dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("joule sensors"), std::string::npos) << r.err;
}

TEST(FleetCommand, ErrorsNameTheOptionAndTheProblem) {
  auto no_scheme = run_joule({"fleet", "--prometheus", "localhost:9090"});
  EXPECT_NE(no_scheme.exit_code, 0);
  EXPECT_NE(no_scheme.err.find("http://"), std::string::npos) << no_scheme.err;

  auto bad_since = run_joule({"fleet", "--prometheus", "http://127.0.0.1:1", "--since", "2w"});
  EXPECT_NE(bad_since.exit_code, 0);
  EXPECT_NE(bad_since.err.find("--since"), std::string::npos) << bad_since.err;

  auto bad_by = run_joule({"fleet", "--prometheus", "http://127.0.0.1:1", "--by", "pod"});
  EXPECT_NE(bad_by.exit_code, 0);
  EXPECT_NE(bad_by.err.find("app, host or cgroup"), std::string::npos) << bad_by.err;

  auto nobody = run_joule(
      {"fleet", "--prometheus", fmt::format("http://127.0.0.1:{}", free_port()), "--since", "1h"});
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_NE(nobody.err.find("cannot reach Prometheus"), std::string::npos) << nobody.err;
}

}  // namespace
}  // namespace joule::testing
