#pragma once
// Remote access to `joule serve`: TLS and HTTP basic auth from a web
// configuration file in the format of Prometheus's exporter-toolkit, so the
// file that secures node_exporter secures joule too:
//
//   tls_server_config:
//     cert_file: /etc/joule/serve.crt
//     key_file: /etc/joule/serve.key
//   basic_auth_users:
//     prometheus: $2y$10$...        # bcrypt, e.g. from `htpasswd -nBC 10 prometheus`
//
// Only these keys are read; any other is an error naming the file, the line
// and the keys that are known (nothing falls back silently).
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace joule::serve {

struct WebConfig {
  struct Tls {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
  };
  std::optional<Tls> tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// Throws joule::DataError ("FILE:LINE:COLUMN: ...") on malformed input.
WebConfig parse_web_config(std::string_view text, const std::string& origin);
WebConfig load_web_config(const std::filesystem::path& path);

// Checks an Authorization header against the users' bcrypt hashes (libcrypt).
// A bcrypt check costs milliseconds by design, so headers that passed are
// remembered (at most one per user) and a repeated scrape costs a lookup.
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}
  bool enabled() const { return !users_.empty(); }
  bool allows(std::string_view authorization_header);

 private:
  std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::map<std::string, std::string> accepted_;  // user -> the header that passed
};

// "user:password" from base64; nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace joule::serve
