#include "bench/data_input.hpp"

#include <array>
#include <fstream>

namespace joule::bench::detail {

[[noreturn]] void throw_missing(const fs::path& file, const char* package_hint) {
  throw DataError(fmt::format("{}: no such file. {}", file.string(), package_hint));
}

std::uint32_t big_endian_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return (std::uint32_t{bytes[offset]} << 24) | (std::uint32_t{bytes[offset + 1]} << 16) |
         (std::uint32_t{bytes[offset + 2]} << 8) | std::uint32_t{bytes[offset + 3]};
}

bool starts_with_gzip_magic(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::array<char, 2> magic{};
  in.read(magic.data(), magic.size());
  return in.gcount() == 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
         static_cast<unsigned char>(magic[1]) == 0x8b;
}

std::vector<std::uint8_t> read_whole_file(const fs::path& file, const char* package_hint) {
  if (!fs::exists(file)) throw_missing(file, package_hint);
  std::error_code error;
  const std::uintmax_t size = fs::file_size(file, error);
  if (error)
    throw DataError(fmt::format("{}: cannot read its size: {}", file.string(), error.message()));
  if (size > kMaxDecompressedBytes) {
    throw DataError(fmt::format("{}: expected at most {} bytes, found {}", file.string(),
                                kMaxDecompressedBytes, size));
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) {
    throw DataError(
        fmt::format("{}: expected {} bytes, read {}", file.string(), bytes.size(), in.gcount()));
  }
  return bytes;
}

}  // namespace joule::bench::detail
