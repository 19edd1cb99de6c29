#pragma once
// Reading joule bench's data files without trusting them: zlib's gz* reader
// (gzip or plain), whole-file reads, and the size bound on both. Every
// length read from a file is checked against what remains before it is used,
// so a truncated or corrupt file gives a DataError that says where and what.
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/data.hpp"

namespace joule::bench::detail {

namespace fs = std::filesystem;

inline constexpr std::size_t kKibBytes = 1024;
inline constexpr std::size_t kMibBytes = kKibBytes * kKibBytes;
// No file or record this reader meets is near this: the largest, the
// Fashion-MNIST training images, is 47 MB decompressed; a novel is 1 MB.
inline constexpr std::size_t kMaxDecompressedBytes = 64 * kMibBytes;

[[noreturn]] void throw_missing(const fs::path& file, const char* package_hint);
std::uint32_t big_endian_u32(std::span<const std::uint8_t> bytes, std::size_t offset);
bool starts_with_gzip_magic(const fs::path& file);

// A file read through zlib's gz* functions, which decompress a gzip file and
// pass any other file through unchanged. Offsets in messages count
// decompressed bytes, and say so when the file is gzipped.
class GzReader {
 public:
  GzReader(const fs::path& file, const char* package_hint) : file_(file) {
    if (!fs::exists(file)) throw_missing(file, package_hint);
    if (fs::is_directory(file)) fail("expected a file, found a directory");
    gzipped_ = starts_with_gzip_magic(file);
    handle_ = gzopen(file.c_str(), "rb");
    if (handle_ == nullptr) fail(fmt::format("cannot open: {}", std::strerror(errno)));
    gzbuffer(handle_, 256 * 1024);
  }
  ~GzReader() { gzclose(handle_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Up to `byte_count` more bytes; fewer at the end of the file or where a
  // gzip stream is cut off (ends_after() then says so). Reads in chunks that
  // double from 64 KiB, so that a corrupt header announcing gigabytes cannot
  // make it allocate them, nor a small file pay for a big buffer.
  std::vector<std::uint8_t> read_up_to(std::size_t byte_count) {
    std::vector<std::uint8_t> bytes;
    if (byte_count <= kMaxDecompressedBytes) bytes.reserve(byte_count);
    while (bytes.size() < byte_count) {
      const std::size_t chunk = std::min(
          {byte_count - bytes.size(), std::max(64 * kKibBytes, bytes.size()), 16 * kMibBytes});
      const std::size_t old_size = bytes.size();
      bytes.resize(old_size + chunk);
      const z_off_t position_before = gztell(handle_);
      const int got = gzread(handle_, bytes.data() + old_size, static_cast<unsigned>(chunk));
      // On an error gzread reports 0 or -1 even when part of the chunk was
      // delivered; the position still counts those bytes.
      const auto delivered = got > 0 ? static_cast<std::size_t>(got)
                                     : static_cast<std::size_t>(gztell(handle_) - position_before);
      bytes.resize(old_size + std::min(delivered, chunk));
      if (got <= 0) break;
    }
    consumed_ += bytes.size();
    check_stream();
    return bytes;
  }

  // True when nothing follows; a truncated or corrupt tail is an error.
  bool at_end() {
    std::uint8_t probe = 0;
    const int got = gzread(handle_, &probe, 1);
    check_stream();
    if (cut_off_) {
      fail(fmt::format("the gzip stream is cut off after {} decompressed bytes", consumed_));
    }
    return got == 0;
  }

  // How a short read ended, for messages: "file ends after N".
  std::string ends_after(std::size_t byte_count) const {
    if (cut_off_) {
      return fmt::format("the gzip stream is cut off after {} (unexpected end of file)",
                         byte_count);
    }
    return fmt::format("file ends after {}", byte_count);
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw DataError(fmt::format("{}: {}", file_.string(), message));
  }

  bool gzipped() const { return gzipped_; }

 private:
  // A cut-off stream (Z_BUF_ERROR) surfaces as a short read that the caller
  // describes; anything else (bad header, bad data, bad checksum) stops here.
  void check_stream() {
    int error_number = Z_OK;
    const char* zlib_message = gzerror(handle_, &error_number);
    if (error_number == Z_BUF_ERROR) {
      cut_off_ = true;
    } else if (error_number != Z_OK) {
      fail(fmt::format("corrupt gzip stream after {} decompressed bytes: {}", consumed_,
                       zlib_message != nullptr ? zlib_message : "unknown zlib error"));
    }
  }

  fs::path file_;
  gzFile handle_ = nullptr;
  bool gzipped_ = false;
  bool cut_off_ = false;
  std::size_t consumed_ = 0;
};

// A whole file, at most max_decompressed_bytes long.
std::vector<std::uint8_t> read_whole_file(const fs::path& file, const char* package_hint);

}  // namespace joule::bench::detail
