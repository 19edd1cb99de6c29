#pragma once
// Looking at a report as a person would, through headless Chromium
// (report/chromium.hpp starts and stops it): its DOM, what it logged, the
// requests it made, a screenshot's pixels and a PDF's pages.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "report/chromium.hpp"
#include "support/files.hpp"

namespace joule::testing {

// A TCP listener on a free loopback port that counts the connections made
// to it. Chromium is pointed at it as its proxy and as every host name's
// address, so that any http or https request of a page lands here.
class RequestTrap {
 public:
  RequestTrap() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~RequestTrap() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  RequestTrap(const RequestTrap&) = delete;
  RequestTrap& operator=(const RequestTrap&) = delete;

  int connections() const { return connections_; }
  std::vector<std::string> requests() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  std::vector<std::string> chromium_arguments() const {
    const std::string at = "127.0.0.1:" + std::to_string(port_);
    return {"--proxy-server=http://" + at, "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * " + at};
  }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      // The request line says what was asked for ("CONNECT host:443",
      // "GET http://host/x.png"); the page gets no answer.
      pollfd readable{client, POLLIN, 0};
      char buffer[512] = {};
      ssize_t n = ::poll(&readable, 1, 3000) > 0 ? ::read(client, buffer, sizeof buffer - 1) : 0;
      std::string request(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
      request = request.substr(0, request.find('\r'));
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
      }
      ++connections_;
      ::close(client);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// The host a proxied request line asks for: "CONNECT host:443 HTTP/1.1",
// "GET http://host/path HTTP/1.1".
inline std::string requested_host(const std::string& line) {
  std::smatch match;
  if (std::regex_search(line, match, std::regex(R"(^CONNECT ([^: ]+))")) ||
      std::regex_search(line, match, std::regex(R"(^[A-Z]+ [a-z]+://([^/: ]+))"))) {
    return match[1];
  }
  return line;
}

// Chromium calls these on its own, for an empty page too: the extension and
// component updater (Debian's wrapper adds --enable-remote-extensions), the
// account service (Debian's API keys) and network time. They are not the
// page's requests; anything else is.
inline bool chromiums_own(const std::string& host) {
  return host == "update.googleapis.com" || host == "accounts.google.com" ||
         host == "clients2.google.com";
}

struct BrowserLook {
  std::string dom;
  std::vector<std::string> console;   // what the page logged, CSP refusals included
  std::vector<std::string> requests;  // the page's requests that reached the trap
};

// The page's DOM after load, with its console messages and its requests.
inline BrowserLook look_at(const std::filesystem::path& chromium,
                           const std::filesystem::path& page) {
  RequestTrap trap;
  auto arguments = trap.chromium_arguments();
  arguments.insert(arguments.end(), {"--enable-logging=stderr", "--v=0", "--dump-dom"});
  const auto run = report::run_chromium(chromium, arguments,
                                        "file://" + std::filesystem::absolute(page).string(),
                                        std::chrono::seconds(90));
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_status, 0) << run.err;
  BrowserLook look;
  look.dom = run.out;
  const std::regex console_line(R"(:CONSOLE[:(]\d+\)?\] (.*))");
  std::smatch match;
  for (std::size_t start = 0; start < run.err.size();) {
    std::size_t end = run.err.find('\n', start);
    if (end == std::string::npos) end = run.err.size();
    const std::string line = run.err.substr(start, end - start);
    if (std::regex_search(line, match, console_line)) look.console.push_back(match[1]);
    start = end + 1;
  }
  for (const std::string& line : trap.requests()) {
    // An empty line is a connection that asked for nothing: Chromium opens
    // spare sockets to its proxy ahead of need (preconnect) and may close them
    // unused. A load the page makes always sends its request line at once.
    if (line.empty()) continue;
    if (!chromiums_own(requested_host(line))) look.requests.push_back(line);
  }
  return look;
}

// --- the pixels of a PNG screenshot -----------------------------------------------

struct Pixels {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // 3 bytes a pixel, top row first
};

inline std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  return (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
         (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) |
         std::uint32_t(std::uint8_t(bytes[at + 3]));
}

inline int paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Chromium's screenshots: 8-bit RGB or RGBA, not interlaced (PNG spec 1.2).
inline Pixels decode_png(const std::filesystem::path& file) {
  const std::string bytes = support::read_file(file).value_or("");
  Pixels pixels;
  if (bytes.size() < 33 || bytes.compare(1, 3, "PNG") != 0) return pixels;
  std::string compressed;
  int channels = 0;
  for (std::size_t at = 8; at + 8 <= bytes.size();) {
    const std::uint32_t length = big_endian(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (type == "IHDR") {
      pixels.width = int(big_endian(bytes, at + 8));
      pixels.height = int(big_endian(bytes, at + 12));
      channels = bytes[at + 17] == 6 ? 4 : bytes[at + 17] == 2 ? 3 : 0;
      if (bytes[at + 16] != 8 || bytes[at + 20] != 0) channels = 0;
    } else if (type == "IDAT") {
      compressed += bytes.substr(at + 8, length);
    }
    at += 12 + length;
  }
  const std::size_t stride = std::size_t(pixels.width) * channels;
  std::vector<std::uint8_t> raw((stride + 1) * pixels.height);
  uLongf raw_size = raw.size();
  if (channels == 0 ||
      uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                 compressed.size()) != Z_OK) {
    return {};
  }
  std::vector<std::uint8_t> previous(stride, 0), row(stride);
  for (int y = 0; y < pixels.height; ++y) {
    const std::uint8_t* line = &raw[y * (stride + 1)];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= std::size_t(channels) ? row[x - channels] : 0;
      const int b = previous[x];
      const int c = x >= std::size_t(channels) ? previous[x - channels] : 0;
      const int predictor = line[0] == 1   ? a
                            : line[0] == 2 ? b
                            : line[0] == 3 ? (a + b) / 2
                            : line[0] == 4 ? paeth(a, b, c)
                                           : 0;
      row[x] = std::uint8_t(line[1 + x] + predictor);
    }
    for (int x = 0; x < pixels.width; ++x) {
      for (int k = 0; k < 3; ++k) pixels.rgb.push_back(row[x * channels + k]);
    }
    previous = row;
  }
  return pixels;
}

// Share of pixels that are not white, and how many distinct colours there are.
struct Ink {
  double share = 0;
  std::size_t colours = 0;
};
inline Ink ink(const Pixels& pixels) {
  std::size_t inked = 0;
  std::set<std::uint32_t> colours;
  for (std::size_t i = 0; i + 2 < pixels.rgb.size(); i += 3) {
    const std::uint32_t colour = (std::uint32_t(pixels.rgb[i]) << 16) |
                                 (std::uint32_t(pixels.rgb[i + 1]) << 8) | pixels.rgb[i + 2];
    if (colour != 0xFFFFFF) ++inked;
    if (colours.size() < 4096) colours.insert(colour);
  }
  const std::size_t total = pixels.rgb.size() / 3;
  return {total ? double(inked) / double(total) : 0, colours.size()};
}

// --- a PDF's pages ------------------------------------------------------------------

struct PdfPages {
  int count = 0;
  std::vector<std::string> media_boxes;  // "[0 0 595.91998 842.88]"
};

// Chromium writes each page object uncompressed ("/Type /Page").
inline PdfPages pdf_pages(const std::filesystem::path& file) {
  const std::string bytes = support::read_file(file).value_or("");
  PdfPages pages;
  const std::regex page(R"(/Type\s*/Page[^s])");
  pages.count = int(std::distance(std::sregex_iterator(bytes.begin(), bytes.end(), page),
                                  std::sregex_iterator()));
  const std::regex box(R"(/MediaBox\s*(\[[^\]]*\]))");
  for (auto it = std::sregex_iterator(bytes.begin(), bytes.end(), box);
       it != std::sregex_iterator(); ++it) {
    pages.media_boxes.push_back((*it)[1]);
  }
  return pages;
}

}  // namespace joule::testing
