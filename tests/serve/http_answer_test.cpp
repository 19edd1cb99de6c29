// joule serve's answers without a socket: auth first, then the route, the
// format and a scrape that fails.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "serve/http_answer.hpp"

namespace joule::serve {
namespace {

// `htpasswd -nbBC 5 prometheus secret`
constexpr const char* kSecretHash = "$2y$05$NUIF0XrdEEmTi6nPn.8vyOFx56rtckdwHDGDhGgkbVHeClQWtCDni";
constexpr const char* kSecretHeader = "Basic cHJvbWV0aGV1czpzZWNyZXQ=";  // prometheus:secret

std::string exposition(ExpositionFormat format) {
  return format == ExpositionFormat::openmetrics ? "om\n# EOF\n" : "text\n";
}

TEST(HttpAnswer, MetricsInTheFormatAskedFor) {
  auto text = answer_request({"GET", "/metrics", "", ""}, nullptr, exposition);
  EXPECT_EQ(text.status, 200);
  EXPECT_EQ(text.body, "text\n");
  auto om =
      answer_request({"GET", "/metrics", "", "application/openmetrics-text"}, nullptr, exposition);
  EXPECT_EQ(om.body, "om\n# EOF\n");
  EXPECT_NE(om.content_type.find("openmetrics"), std::string::npos);
  EXPECT_EQ(answer_request({"GET", "/", "", ""}, nullptr, exposition).content_type, "text/html");
}

TEST(HttpAnswer, UnknownPathsAndMethodsAreRefused) {
  EXPECT_EQ(answer_request({"GET", "/nothing", "", ""}, nullptr, exposition).status, 404);
  EXPECT_EQ(answer_request({"POST", "/metrics", "", ""}, nullptr, exposition).status, 405);
  EXPECT_EQ(answer_request({"HEAD", "/metrics", "", ""}, nullptr, exposition).status, 200);
}

TEST(HttpAnswer, WithoutTheRightPasswordNothingIsServedOrScraped) {
  BasicAuth auth(std::map<std::string, std::string>{{"prometheus", kSecretHash}});
  int scrapes = 0;
  auto counting = [&](ExpositionFormat f) {
    ++scrapes;
    return exposition(f);
  };
  auto refused = answer_request({"GET", "/metrics", "", ""}, &auth, counting);
  EXPECT_EQ(refused.status, 401);
  ASSERT_TRUE(refused.www_authenticate);
  EXPECT_EQ(answer_request({"GET", "/nothing", "", ""}, &auth, counting).status, 401);
  EXPECT_EQ(scrapes, 0);
  EXPECT_EQ(answer_request({"GET", "/metrics", kSecretHeader, ""}, &auth, counting).status, 200);
  EXPECT_EQ(scrapes, 1);
}

TEST(HttpAnswer, AScrapeThatThrowsIsA500ThatSaysWhy) {
  auto answer = answer_request(
      {"GET", "/metrics", "", ""}, nullptr,
      [](ExpositionFormat) -> std::string { throw std::runtime_error("NVML went away"); });
  EXPECT_EQ(answer.status, 500);
  EXPECT_NE(answer.body.find("NVML went away"), std::string::npos);
}

}  // namespace
}  // namespace joule::serve
