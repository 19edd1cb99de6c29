#include "serve/web_config.hpp"

#include <crypt.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbon/suggest.hpp"
#include "joule/data_error.hpp"
#include "support/files.hpp"
#include "support/strings.hpp"

namespace joule::serve {
namespace {

const std::vector<std::string> kSections = {"tls_server_config", "basic_auth_users"};
const std::vector<std::string> kTlsKeys = {"cert_file", "key_file"};

std::string unquote(std::string_view value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    return std::string(value.substr(1, value.size() - 2));
  }
  return std::string(value);
}

// A comment starts at '#' preceded by a space (bcrypt hashes hold no '#').
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

std::string unknown_key(std::string_view key, const std::vector<std::string>& known) {
  return fmt::format("unknown key '{}': expected one of {};{}", key, fmt::join(known, ", "),
                     carbon::did_you_mean(key, known));
}

void set_tls_key(WebConfig& config, std::string_view key, std::string value,
                 const std::string& origin, std::size_t line) {
  if (!config.tls) config.tls.emplace();
  if (key == "cert_file") {
    config.tls->cert_file = std::move(value);
  } else if (key == "key_file") {
    config.tls->key_file = std::move(value);
  } else {
    throw DataError(origin, line, 3, unknown_key(key, kTlsKeys) + " in tls_server_config");
  }
}

// "$2y$10$" and 53 characters of bcrypt's base64 (22 of salt, 31 of hash),
// as htpasswd -B writes it. Anything else would make crypt(3) fail on every
// request, and the user could never log in, without a word at startup.
bool is_bcrypt_hash(std::string_view hash) {
  constexpr std::size_t kLength = 60;
  if (hash.size() != kLength || !hash.starts_with("$2") || hash[3] != '$' || hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(hash[4]) || !digit(hash[5])) return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/';
  });
}

}  // namespace

WebConfig parse_web_config(std::string_view text, const std::string& origin) {
  WebConfig config;
  std::string section;
  support::for_each_line(text, [&](std::string_view raw, std::size_t number) {
    std::string_view line = strip_comment(raw);
    if (support::trim(line).empty()) return;
    const bool indented = line.front() == ' ' || line.front() == '\t';
    line = support::trim(line);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      throw DataError(origin, number, 1, "expected 'key: value'");
    const std::string_view key = support::trim(line.substr(0, colon));
    const std::string value = unquote(support::trim(line.substr(colon + 1)));
    if (!indented) {
      if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
        throw DataError(origin, number, 1, unknown_key(key, kSections));
      }
      if (!value.empty()) {
        throw DataError(origin, number, colon + 2, fmt::format("'{}' takes nested keys", key));
      }
      section = key;
      if (section == "tls_server_config" && !config.tls) config.tls.emplace();
      return;
    }
    if (value.empty()) {
      throw DataError(origin, number, colon + 2, fmt::format("'{}' needs a value", key));
    }
    if (section == "tls_server_config") {
      set_tls_key(config, key, value, origin, number);
    } else if (section == "basic_auth_users") {
      if (!is_bcrypt_hash(value)) {
        throw DataError(origin, number, colon + 2,
                        fmt::format("user '{}': expected a bcrypt hash ($2a$, $2b$ or $2y$, a cost "
                                    "from 04 to 31, then 53 characters, as `htpasswd -nB` writes)",
                                    key));
      }
      config.basic_auth_users[std::string(key)] = value;
    } else {
      throw DataError(origin, number, 1, "an indented key outside a section");
    }
  });
  if (config.tls && (config.tls->cert_file.empty() || config.tls->key_file.empty())) {
    throw DataError(origin, 0, 0, "tls_server_config needs both cert_file and key_file");
  }
  return config;
}

WebConfig load_web_config(const std::filesystem::path& path) {
  auto text = support::read_file(path);
  if (!text) {
    throw DataError(path.string(), 0, 0, fmt::format("cannot read: {}", std::strerror(errno)));
  }
  WebConfig config = parse_web_config(*text, path.string());
  // Relative certificate paths are relative to the file, as exporter-toolkit reads them.
  if (config.tls) {
    for (auto* file : {&config.tls->cert_file, &config.tls->key_file}) {
      if (file->is_relative()) *file = path.parent_path() / *file;
    }
  }
  return config;
}

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

bool BasicAuth::allows(std::string_view header) {
  if (!header.starts_with("Basic ")) return false;
  auto decoded = decode_base64(support::trim(header.substr(6)));
  if (!decoded) return false;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  auto hash = users_.find(user);
  if (hash == users_.end()) return false;
  {
    std::lock_guard lock(mutex_);
    auto seen = accepted_.find(user);
    if (seen != accepted_.end() && seen->second == header) return true;
  }
  crypt_data data{};
  const char* computed = crypt_r(password.c_str(), hash->second.c_str(), &data);
  if (!computed || std::strcmp(computed, hash->second.c_str()) != 0) return false;
  std::lock_guard lock(mutex_);
  accepted_[user] = std::string(header);
  return true;
}

}  // namespace joule::serve
