#pragma once
// What `joule serve` answers to a request, apart from the sockets: basic
// auth, the route, the format the Accept header asks for, and a scrape that
// throws turned into a 500 that says why. cpp-httplib parses the request and
// writes the answer; this is joule's own part, and the part the serve_request
// fuzz target drives.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "serve/exposition.hpp"
#include "serve/web_config.hpp"

namespace joule::serve {

// The parts of a parsed request that joule reads.
struct HttpRequestHead {
  std::string_view method;         // "GET"
  std::string_view path;           // "/metrics", without the query string
  std::string_view authorization;  // the Authorization header, empty when absent
  std::string_view accept;         // the Accept header, empty when absent
};

struct HttpAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  std::optional<std::string> www_authenticate;  // set with a 401
};

// Renders the exposition in the format asked for; may throw.
using ScrapeFunction = std::function<std::string(ExpositionFormat)>;

// `auth` may be null (no basic auth configured). Never throws: a scrape that
// throws is a 500 with its reason.
HttpAnswer answer_request(const HttpRequestHead& request, BasicAuth* auth,
                          const ScrapeFunction& scrape);

}  // namespace joule::serve
