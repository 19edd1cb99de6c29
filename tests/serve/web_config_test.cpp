// The exporter-toolkit web config: what it accepts, how it refuses, and
// bcrypt basic auth through libcrypt.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "joule/data_error.hpp"
#include "serve/web_config.hpp"

namespace joule::serve {
namespace {

// `htpasswd -nbBC 5 prometheus secret`
constexpr const char* kSecretHash = "$2y$05$NUIF0XrdEEmTi6nPn.8vyOFx56rtckdwHDGDhGgkbVHeClQWtCDni";

TEST(WebConfig, ReadsTlsAndUsers) {
  auto config = parse_web_config(fmt::format("# a comment\n"
                                             "tls_server_config:\n"
                                             "  cert_file: \"server.crt\"\n"
                                             "  key_file: server.key  # the key\n"
                                             "basic_auth_users:\n"
                                             "  prometheus: {}\n",
                                             kSecretHash),
                                 "web.yml");
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->cert_file, "server.crt");
  EXPECT_EQ(config.tls->key_file, "server.key");
  EXPECT_EQ(config.basic_auth_users.at("prometheus"), kSecretHash);
}

TEST(WebConfig, UnknownKeysNameTheLineAndTheCloseOnes) {
  try {
    parse_web_config("tls_server_config:\n  cert_file: a\n  key_fle: b\n", "web.yml");
    FAIL() << "accepted key_fle";
  } catch (const DataError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("key_file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_web_config("basic_auth:\n  u: $2y$x\n", "web.yml"), DataError);
  EXPECT_THROW(parse_web_config("basic_auth_users:\n  u: plaintext\n", "web.yml"), DataError);
  EXPECT_THROW(parse_web_config("tls_server_config:\n  cert_file: a\n", "web.yml"), DataError);
}

// A value crypt(3) cannot use would refuse that user on every scrape, with
// nothing said when joule serve starts.
TEST(WebConfig, AHashThatIsNotBcryptIsRefusedAtStartup) {
  const std::string good = kSecretHash;
  for (const std::string& bad : {
           std::string("$2"), std::string("$2y$05$short"),
           "$2x" + good.substr(3),     // not a bcrypt variant
           "$2y$03" + good.substr(6),  // cost below 4
           "$2y$32" + good.substr(6),  // cost above 31
           "$2y$5x" + good.substr(6),  // cost not two digits
           good.substr(0, 59) + "!",   // not bcrypt's base64
           good + "x",                 // too long
       }) {
    EXPECT_THROW(parse_web_config("basic_auth_users:\n  u: " + bad + "\n", "web.yml"), DataError)
        << bad;
  }
  EXPECT_NO_THROW(parse_web_config("basic_auth_users:\n  u: " + good + "\n", "web.yml"));
}

TEST(BasicAuth, AcceptsTheRightPasswordOnlyWithBcrypt) {
  BasicAuth auth(std::map<std::string, std::string>{{"prometheus", kSecretHash}});
  // base64("prometheus:secret"), base64("prometheus:wrong")
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzZWNyZXQ="));
  EXPECT_TRUE(auth.allows("Basic cHJvbWV0aGV1czpzZWNyZXQ="));  // remembered
  EXPECT_FALSE(auth.allows("Basic cHJvbWV0aGV1czp3cm9uZw=="));
  EXPECT_FALSE(auth.allows(""));
  EXPECT_FALSE(auth.allows("Basic !!!"));
  EXPECT_FALSE(auth.allows("Bearer cHJvbWV0aGV1czpzZWNyZXQ="));
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64("YWI"), "ab");
  EXPECT_EQ(decode_base64("YWJj"), "abc");
  EXPECT_EQ(decode_base64("a b"), std::nullopt);
}

}  // namespace
}  // namespace joule::serve
