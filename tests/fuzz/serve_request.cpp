// joule serve's own request handling (src/serve): the web config's parser,
// then a request's method, path, Authorization and Accept headers answered
// by answer_request behind basic auth. cpp-httplib parses the raw bytes;
// what it hands joule is fuzzed here, parts split at NUL bytes.
#include <cstdlib>
#include <map>
#include <string>

#include "fuzz_input.hpp"
#include "joule/data_error.hpp"
#include "serve/http_answer.hpp"
#include "serve/web_config.hpp"

namespace {

// `prometheus:secret`, bcrypt at the lowest cost so that a match stays cheap.
constexpr const char* kSecretHash = "$2b$04$N6AlUvT6JbMSKLMWbe6gvO1RnmCeziVPZcy.fj6/LNBuRLEp41hqa";

void check_web_config(std::string_view text) {
  try {
    const auto config = joule::serve::parse_web_config(text, "/etc/joule/web.yml");
    if (config.tls && (config.tls->cert_file.empty() || config.tls->key_file.empty())) std::abort();
    for (const auto& [user, hash] : config.basic_auth_users) {
      if (hash.size() != 60 || !hash.starts_with("$2")) std::abort();  // only bcrypt passes
    }
  } catch (const joule::DataError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace joule::serve;
  static BasicAuth auth(std::map<std::string, std::string>{{"prometheus", kSecretHash}});
  const auto parts = joule::fuzz::split_parts(joule::fuzz::as_text(data, size), 5);
  check_web_config(parts[0]);
  const HttpRequestHead request{parts[1], parts[2], parts[3], parts[4]};
  const HttpAnswer answer = answer_request(request, &auth, [](ExpositionFormat format) {
    return format == ExpositionFormat::openmetrics ? std::string("# EOF\n") : std::string("\n");
  });
  switch (answer.status) {
    case 200: {
      // Served only to the one user with the one password.
      const auto header = request.authorization;
      if (!header.starts_with("Basic ")) std::abort();
      if (answer.body.empty() || answer.content_type.empty()) std::abort();
      break;
    }
    case 401:
      if (!answer.www_authenticate) std::abort();
      break;
    case 404:
    case 405:
      break;
    default:
      std::abort();
  }
  return 0;
}
