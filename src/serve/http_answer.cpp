#include "serve/http_answer.hpp"

#include <exception>

namespace joule::serve {
namespace {

constexpr const char* kLandingPage =
    "<html><head><title>joule serve</title></head><body><h1>joule serve</h1>"
    "<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

HttpAnswer plain(int status, std::string body) {
  return {status, "text/plain", std::move(body), std::nullopt};
}

HttpAnswer metrics(std::string_view accept, const ScrapeFunction& scrape) {
  const ExpositionFormat format = negotiate(accept);
  try {
    return {200, std::string(content_type(format)), scrape(format), std::nullopt};
  } catch (const std::exception& e) {
    return plain(500, "joule serve: " + std::string(e.what()) + "\n");
  } catch (...) {
    return plain(500, "joule serve: unknown error\n");
  }
}

}  // namespace

HttpAnswer answer_request(const HttpRequestHead& request, BasicAuth* auth,
                          const ScrapeFunction& scrape) {
  if (auth && !auth->allows(request.authorization)) {
    HttpAnswer refused = plain(401, "Unauthorized\n");
    refused.www_authenticate = "Basic realm=\"joule serve\"";
    return refused;
  }
  const bool known = request.path == "/metrics" || request.path == "/";
  if (!known) return plain(404, "Not Found\n");
  if (request.method != "GET" && request.method != "HEAD") {
    return plain(405, "Method Not Allowed: joule serve answers GET\n");
  }
  if (request.path == "/metrics") return metrics(request.accept, scrape);
  return {200, "text/html", kLandingPage, std::nullopt};
}

}  // namespace joule::serve
