// Fashion-MNIST and Jane Austen's novels, read straight from Debian's package
// files with zlib. Every length read from a file is checked against the bytes
// that remain before it is used, so a truncated or corrupt file gives a
// DataError that says where and what, never a crash, a hang or a huge
// allocation.
#include "bench/data.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace joule::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kib_bytes = 1024;
constexpr std::size_t mib_bytes = kib_bytes * kib_bytes;
// No file or record this reader meets is near this: the largest, the
// Fashion-MNIST training images, is 47 MB decompressed; a novel is 1 MB.
constexpr std::size_t max_decompressed_bytes = 64 * mib_bytes;

constexpr const char* fashion_mnist_package_hint =
    "Fashion-MNIST comes from the Debian package dataset-fashion-mnist (install it with "
    "`sudo apt-get install dataset-fashion-mnist`), or point joule bench --fashion-mnist at a "
    "directory holding "
    "the four IDX files";
constexpr const char* austen_package_hint =
    "Jane Austen's novels come from the Debian package r-cran-janeaustenr (install it with "
    "`sudo apt-get install r-cran-janeaustenr`), or point joule bench --austen at a copy of "
    "its data/Rdata.rdb with Rdata.rdx beside it";

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
    if (byte_count <= max_decompressed_bytes) bytes.reserve(byte_count);
    while (bytes.size() < byte_count) {
      const std::size_t chunk = std::min(
          {byte_count - bytes.size(), std::max(64 * kib_bytes, bytes.size()), 16 * mib_bytes});
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

// ---------------------------------------------------------------- IDX files

struct IdxHeader {
  std::size_t item_count = 0;
  std::size_t rows = 1;
  std::size_t cols = 1;
};

// IDX magic: two zero bytes, the element type (0x08: unsigned byte), the
// number of dimensions; then one big-endian uint32 per dimension.
IdxHeader read_idx_header(GzReader& reader, std::uint32_t dimension_count) {
  const std::uint32_t expected_magic = 0x00000800u | dimension_count;
  const std::size_t header_bytes = 4 + 4 * std::size_t{dimension_count};
  const std::vector<std::uint8_t> header = reader.read_up_to(header_bytes);
  if (header.size() < 4) {
    reader.fail(fmt::format("expected an IDX header of {} bytes, {}", header_bytes,
                            reader.ends_after(header.size())));
  }
  const std::uint32_t magic = big_endian_u32(header, 0);
  if (magic != expected_magic) {
    reader.fail(
        fmt::format("expected IDX magic 0x{:08x} (unsigned bytes, {} dimensions), found 0x{:08x}",
                    expected_magic, dimension_count, magic));
  }
  if (header.size() < header_bytes) {
    reader.fail(fmt::format("expected an IDX header of {} bytes, {}", header_bytes,
                            reader.ends_after(header.size())));
  }
  IdxHeader result;
  result.item_count = big_endian_u32(header, 4);
  if (dimension_count == 3) {
    result.rows = big_endian_u32(header, 8);
    result.cols = big_endian_u32(header, 12);
    // Guards the multiplication below; real images are a few dozen pixels wide.
    if (result.rows == 0 || result.cols == 0 || result.rows > 4096 || result.cols > 4096) {
      reader.fail(fmt::format("expected image dimensions between 1 and 4096, found {}x{}",
                              result.rows, result.cols));
    }
  }
  return result;
}

std::vector<std::uint8_t> read_idx_payload(GzReader& reader, std::size_t byte_count,
                                           std::string_view what) {
  if (byte_count > max_decompressed_bytes * 4) {
    reader.fail(fmt::format("header announces {} bytes of {}, more than this reader accepts ({})",
                            byte_count, what, max_decompressed_bytes * 4));
  }
  std::vector<std::uint8_t> payload = reader.read_up_to(byte_count);
  const char* decompressed = reader.gzipped() ? " (decompressed)" : "";
  if (payload.size() < byte_count) {
    reader.fail(fmt::format("expected {} bytes of {} after the header{}, {}", byte_count, what,
                            decompressed, reader.ends_after(payload.size())));
  }
  if (!reader.at_end()) {
    reader.fail(fmt::format("expected the file to end after {} bytes of {}{}, it goes on",
                            byte_count, what, decompressed));
  }
  return payload;
}

// ------------------------------------------------- R serialization (XDR)

// SEXPTYPE codes and flag bits from R's serialize.c, the format's reference.
enum RType : std::uint32_t {
  r_nil = 0,
  r_symbol = 1,
  r_pairlist = 2,
  r_char = 9,
  r_logical = 10,
  r_integer = 13,
  r_string = 16,
  r_list = 19,
  r_nil_value = 254,
  r_reference = 255,
};
constexpr std::uint32_t r_has_attributes_bit = 1u << 9;
constexpr std::uint32_t r_has_tag_bit = 1u << 10;
constexpr std::uint32_t r_latin1_level = 1u << 2;  // in the "levels", flags >> 12
constexpr int r_max_nesting = 32;                  // the index is 3 deep, a novel 1

// The subset of R objects the lazy-load index and the novels use.
struct RObject {
  std::uint32_t type = r_nil;
  std::string symbol;                 // r_symbol, r_char
  std::vector<std::string> strings;   // r_string; NA_character_ reads as ""
  std::vector<std::int32_t> numbers;  // r_integer, r_logical
  std::vector<RObject> elements;      // r_list; the values of an r_pairlist
  std::vector<std::string> tags;      // r_pairlist: one per element, "" when untagged
  std::vector<std::pair<std::string, RObject>> attributes;

  const RObject* attribute(std::string_view name) const {
    for (const auto& [attribute_name, attribute_value] : attributes) {
      if (attribute_name == name) return &attribute_value;
    }
    return nullptr;
  }
};

std::string latin1_to_utf8(std::string_view latin1) {
  std::string utf8;
  utf8.reserve(latin1.size());
  for (const char byte : latin1) {
    const auto code = static_cast<unsigned char>(byte);
    if (code < 0x80) {
      utf8.push_back(byte);
    } else {
      utf8.push_back(static_cast<char>(0xc0 | (code >> 6)));
      utf8.push_back(static_cast<char>(0x80 | (code & 0x3f)));
    }
  }
  return utf8;
}

const char* r_type_name(std::uint32_t type) {
  switch (type) {
    case r_nil:
      return "NULL";
    case r_symbol:
      return "symbol";
    case r_pairlist:
      return "pairlist";
    case 3:
      return "closure";
    case 4:
      return "environment";
    case 6:
      return "call";
    case r_char:
      return "CHARSXP";
    case r_logical:
      return "logical vector";
    case 14:
      return "double vector";
    case r_integer:
      return "integer vector";
    case r_string:
      return "character vector";
    case r_list:
      return "list";
    case 238:
      return "ALTREP object";
    default:
      return "object";
  }
}

// Reads one serialized R object from a decompressed byte buffer. `where`
// names the file and record for messages; positions are decompressed bytes.
class XdrReader {
 public:
  XdrReader(std::span<const std::uint8_t> bytes, std::string where)
      : bytes_(bytes), where_(std::move(where)) {}

  RObject read_serialized() {
    read_header();
    RObject object = read_item(0);
    if (position_ != bytes_.size()) {
      fail("the serialized object to end", fmt::format("{} more bytes", bytes_.size() - position_));
    }
    return object;
  }

  [[noreturn]] void fail(std::string_view expected, std::string_view found) const {
    throw DataError(fmt::format("{}, at decompressed byte {}: expected {}, found {}", where_,
                                position_, expected, found));
  }

 private:
  std::size_t remaining() const { return bytes_.size() - position_; }

  std::uint32_t read_u32(std::string_view what) {
    if (remaining() < 4)
      fail(what, fmt::format("the end of the data ({} bytes left)", remaining()));
    const std::uint32_t word = big_endian_u32(bytes_, position_);
    position_ += 4;
    return word;
  }
  std::int32_t read_i32(std::string_view what) { return static_cast<std::int32_t>(read_u32(what)); }

  std::string read_bytes(std::size_t byte_count, std::string_view what) {
    if (byte_count > remaining()) {
      fail(fmt::format("{} bytes of {}", byte_count, what),
           fmt::format("the end of the data after {} bytes", remaining()));
    }
    std::string text(reinterpret_cast<const char*>(bytes_.data() + position_), byte_count);
    position_ += byte_count;
    return text;
  }

  void read_header() {
    const std::string format = read_bytes(2, "the format tag");
    if (format != "X\n") {
      position_ -= 2;
      fail("R's XDR serialization format \"X\\n\"",
           fmt::format("0x{:02x} 0x{:02x}", static_cast<unsigned char>(format[0]),
                       static_cast<unsigned char>(format[1])));
    }
    const std::int32_t version = read_i32("the serialization version");
    if (version != 2 && version != 3) {
      position_ -= 4;
      fail("serialization version 2 or 3", std::to_string(version));
    }
    read_u32("the writer's R version");
    read_u32("the minimal reader R version");
    if (version == 3) {
      const std::int32_t encoding_length = read_i32("the length of the native encoding name");
      if (encoding_length < 0 || encoding_length > 64) {
        position_ -= 4;
        fail("a native encoding name of 0 to 64 bytes", fmt::format("{} bytes", encoding_length));
      }
      read_bytes(static_cast<std::size_t>(encoding_length), "the native encoding name");
    }
  }

  // Vector lengths are int32, or -1 followed by two words for long vectors.
  // Each element takes at least `min_element_bytes`, which bounds the length
  // by what remains before anything is allocated.
  std::size_t read_length(std::size_t min_element_bytes, std::string_view what) {
    const std::int32_t short_length = read_i32(what);
    std::uint64_t length = 0;
    if (short_length == -1) {
      const std::uint64_t upper = read_u32(what);
      const std::uint64_t lower = read_u32(what);
      length = (upper << 32) | lower;
    } else if (short_length < 0) {
      position_ -= 4;
      fail(fmt::format("{} (0 or more)", what), std::to_string(short_length));
    } else {
      length = static_cast<std::uint64_t>(short_length);
    }
    if (length > remaining() / min_element_bytes) {
      fail(fmt::format("{}: {} elements of at least {} bytes", what, length, min_element_bytes),
           fmt::format("only {} bytes left", remaining()));
    }
    return static_cast<std::size_t>(length);
  }

  RObject read_item(int depth) {
    if (depth > r_max_nesting)
      fail(fmt::format("at most {} nested objects", r_max_nesting), "more");
    const std::uint32_t flags = read_u32("an object's flags");
    return read_item_with_flags(flags, depth);
  }

  RObject read_item_with_flags(std::uint32_t flags, int depth) {
    const std::uint32_t type = flags & 0xffu;
    RObject object;
    object.type = type;
    switch (type) {
      case r_nil_value:
        object.type = r_nil;
        return object;
      case r_reference:
        return resolve_reference(flags);
      case r_symbol: {
        RObject name = read_item(depth + 1);
        if (name.type != r_char) fail("a CHARSXP naming a symbol", r_type_name(name.type));
        object.symbol = std::move(name.symbol);
        references_.push_back(object);
        return object;
      }
      case r_pairlist:
        read_pairlist(flags, object, depth);
        return object;
      case r_char:
        object.symbol = read_char(flags);
        return object;
      case r_logical:
      case r_integer:
        read_integers(object);
        break;
      case r_string:
        read_strings(object);
        break;
      case r_list: {
        const std::size_t length = read_length(4, "the length of a list");
        object.elements.reserve(length);
        for (std::size_t i = 0; i < length; ++i) object.elements.push_back(read_item(depth + 1));
        break;
      }
      default:
        position_ -= 4;
        fail(
            "an R object of a type this reader knows (NULL, symbol, pairlist, logical, integer, "
            "character, list)",
            fmt::format("type {} ({})", type, r_type_name(type)));
    }
    if ((flags & r_has_attributes_bit) != 0) object.attributes = read_attributes(depth);
    return object;
  }

  RObject resolve_reference(std::uint32_t flags) {
    std::size_t index = flags >> 8;
    if (index == 0) index = static_cast<std::uint32_t>(read_i32("a reference index"));
    if (index == 0 || index > references_.size()) {
      fail(fmt::format("a reference to one of the {} symbols read so far", references_.size()),
           fmt::format("reference {}", index));
    }
    return references_[index - 1];
  }

  std::string read_char(std::uint32_t flags) {
    const std::int32_t length = read_i32("the length of a string");
    if (length == -1) return {};  // NA_character_
    if (length < 0) {
      position_ -= 4;
      fail("a string length of 0 or more, or -1 for NA", std::to_string(length));
    }
    std::string text = read_bytes(static_cast<std::size_t>(length), "string");
    if (((flags >> 12) & r_latin1_level) != 0) text = latin1_to_utf8(text);
    return text;
  }

  void read_integers(RObject& object) {
    const std::size_t length = read_length(4, "the length of an integer vector");
    object.numbers.reserve(length);
    for (std::size_t i = 0; i < length; ++i) object.numbers.push_back(read_i32("an integer"));
  }

  void read_strings(RObject& object) {
    const std::size_t length = read_length(8, "the length of a character vector");
    object.strings.reserve(length);
    for (std::size_t i = 0; i < length; ++i) {
      const std::uint32_t element_flags = read_u32("a string's flags");
      if ((element_flags & 0xffu) != r_char) {
        position_ -= 4;
        fail(fmt::format("element {} of a character vector to be a CHARSXP (type 9)", i),
             fmt::format("type {}", element_flags & 0xffu));
      }
      object.strings.push_back(read_char(element_flags));
    }
  }

  // A pairlist cell is [attributes] [tag] value, then the next cell or
  // NILVALUE; it is read as a loop so that a long list cannot exhaust the stack.
  void read_pairlist(std::uint32_t flags, RObject& object, int depth) {
    object.type = r_pairlist;
    while (true) {
      if ((flags & r_has_attributes_bit) != 0) read_attributes(depth);
      std::string tag;
      if ((flags & r_has_tag_bit) != 0) {
        const RObject tag_object = read_item(depth + 1);
        if (tag_object.type != r_symbol)
          fail("a symbol as a pairlist tag", r_type_name(tag_object.type));
        tag = tag_object.symbol;
      }
      object.tags.push_back(std::move(tag));
      object.elements.push_back(read_item(depth + 1));
      flags = read_u32("the next pairlist cell or its end");
      if ((flags & 0xffu) == r_nil_value) return;
      if ((flags & 0xffu) != r_pairlist) {
        position_ -= 4;
        fail("the next pairlist cell or its end", fmt::format("type {}", flags & 0xffu));
      }
    }
  }

  std::vector<std::pair<std::string, RObject>> read_attributes(int depth) {
    RObject list = read_item(depth + 1);
    if (list.type != r_pairlist) fail("a pairlist of attributes", r_type_name(list.type));
    std::vector<std::pair<std::string, RObject>> attributes;
    for (std::size_t i = 0; i < list.elements.size(); ++i) {
      attributes.emplace_back(std::move(list.tags[i]), std::move(list.elements[i]));
    }
    return attributes;
  }

  std::span<const std::uint8_t> bytes_;
  std::string where_;
  std::size_t position_ = 0;
  std::vector<RObject> references_;
};

// ------------------------------------------------------ the lazy-load DB

struct AustenBook {
  const char* r_name;   // the object's name in the package
  const char* title;    // as the benchmark reports it
  const char* heading;  // the first line of the text, upper-cased: guards the mapping
};

// Publication order: 1811, 1813, 1814, 1815, and the two published together
// in December 1817.
constexpr std::array<AustenBook, 6> austen_books{{
    {"sensesensibility", "Sense & Sensibility", "SENSE AND SENSIBILITY"},
    {"prideprejudice", "Pride & Prejudice", "PRIDE AND PREJUDICE"},
    {"mansfieldpark", "Mansfield Park", "MANSFIELD PARK"},
    {"emma", "Emma", "EMMA"},
    {"northangerabbey", "Northanger Abbey", "NORTHANGER ABBEY"},
    {"persuasion", "Persuasion", "PERSUASION"},
}};

struct RecordLocation {
  std::size_t offset = 0;
  std::size_t length = 0;
};

const RObject* named_element(const RObject& list, std::string_view name) {
  const RObject* names = list.attribute("names");
  if (names == nullptr || names->type != r_string) return nullptr;
  for (std::size_t i = 0; i < names->strings.size() && i < list.elements.size(); ++i) {
    if (names->strings[i] == name) return &list.elements[i];
  }
  return nullptr;
}

std::string joined_names(const RObject& list) {
  const RObject* names = list.attribute("names");
  if (names == nullptr || names->strings.empty()) return "no names";
  std::string joined;
  for (const std::string& name : names->strings) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

[[noreturn]] void fail_index(const fs::path& rdx, const std::string& expected,
                             const std::string& found) {
  throw DataError(fmt::format("{}: expected {}, found {}", rdx.string(), expected, found));
}

// The .rdx is a serialized list(variables =, references =, compressed =),
// gzipped by saveRDS; `variables` maps each object name to (offset, length)
// of its record in the .rdb.
std::vector<RecordLocation> read_austen_index(const fs::path& rdx, std::size_t rdb_bytes) {
  GzReader reader(rdx, austen_package_hint);
  const std::vector<std::uint8_t> bytes = reader.read_up_to(max_decompressed_bytes + 1);
  if (bytes.size() > max_decompressed_bytes) {
    reader.fail(fmt::format("expected at most {} decompressed bytes of index, found more",
                            max_decompressed_bytes));
  }
  reader.at_end();  // reports a cut-off gzip stream
  const RObject index = XdrReader(bytes, rdx.string()).read_serialized();
  if (index.type != r_list) {
    fail_index(rdx, "a list (variables, references, compressed)", r_type_name(index.type));
  }
  const RObject* compressed = named_element(index, "compressed");
  if (compressed == nullptr || compressed->numbers.size() != 1) {
    fail_index(rdx, "an element `compressed` holding one logical or integer",
               "elements " + joined_names(index));
  }
  // TRUE (1) is zlib; 2 and 3 are bzip2 and xz, which R would also accept.
  if (compressed->numbers[0] != 1) {
    fail_index(rdx, "records compressed with zlib (compressed = TRUE)",
               fmt::format("compressed = {}", compressed->numbers[0]));
  }
  const RObject* variables = named_element(index, "variables");
  if (variables == nullptr || variables->type != r_list) {
    fail_index(rdx, "a list `variables`", "elements " + joined_names(index));
  }
  std::vector<RecordLocation> locations;
  for (const AustenBook& book : austen_books) {
    const RObject* entry = named_element(*variables, book.r_name);
    if (entry == nullptr) {
      fail_index(rdx, fmt::format("a dataset named {}", book.r_name),
                 "datasets " + joined_names(*variables));
    }
    if (entry->type != r_integer || entry->numbers.size() != 2 || entry->numbers[0] < 0 ||
        entry->numbers[1] < 5 ||
        std::size_t(entry->numbers[0]) + std::size_t(entry->numbers[1]) > rdb_bytes) {
      fail_index(
          rdx,
          fmt::format("for {} an (offset, length) pair inside the {}-byte Rdata.rdb", book.r_name,
                      rdb_bytes),
          entry->numbers.size() == 2
              ? fmt::format("({}, {})", entry->numbers[0], entry->numbers[1])
              : fmt::format("a {} of length {}", r_type_name(entry->type), entry->numbers.size()));
    }
    locations.push_back({std::size_t(entry->numbers[0]), std::size_t(entry->numbers[1])});
  }
  return locations;
}

std::vector<std::uint8_t> read_whole_file(const fs::path& file, const char* package_hint) {
  if (!fs::exists(file)) throw_missing(file, package_hint);
  std::error_code error;
  const std::uintmax_t size = fs::file_size(file, error);
  if (error)
    throw DataError(fmt::format("{}: cannot read its size: {}", file.string(), error.message()));
  if (size > max_decompressed_bytes) {
    throw DataError(fmt::format("{}: expected at most {} bytes, found {}", file.string(),
                                max_decompressed_bytes, size));
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

// A record: the decompressed length as a big-endian uint32, then one zlib
// stream that must decompress to exactly that many bytes.
std::vector<std::uint8_t> inflate_record(std::span<const std::uint8_t> record,
                                         const std::string& where) {
  const std::size_t declared_bytes = big_endian_u32(record, 0);
  if (declared_bytes > max_decompressed_bytes) {
    throw DataError(fmt::format("{}: expected a decompressed length of at most {} bytes, found {}",
                                where, max_decompressed_bytes, declared_bytes));
  }
  std::vector<std::uint8_t> decompressed(declared_bytes);
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) throw DataError(where + ": zlib cannot start");
  stream.next_in = const_cast<Bytef*>(record.data() + 4);
  stream.avail_in = static_cast<uInt>(record.size() - 4);
  stream.next_out = decompressed.data();
  stream.avail_out = static_cast<uInt>(decompressed.size());
  const int status = inflate(&stream, Z_FINISH);
  const std::string zlib_message = stream.msg != nullptr ? stream.msg : "";
  const std::size_t produced = stream.total_out;
  const std::size_t consumed = stream.total_in;
  const bool input_left = stream.avail_in > 0;
  inflateEnd(&stream);
  if (status == Z_STREAM_END) {
    if (produced != declared_bytes) {
      throw DataError(fmt::format("{}: expected {} decompressed bytes as declared, found {}", where,
                                  declared_bytes, produced));
    }
    return decompressed;
  }
  if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR) {
    throw DataError(fmt::format("{}: corrupt zlib stream after {} compressed bytes: {}", where,
                                consumed, zlib_message.empty() ? "invalid data" : zlib_message));
  }
  if (input_left) {
    throw DataError(
        fmt::format("{}: expected {} decompressed bytes as declared, the zlib stream holds more",
                    where, declared_bytes));
  }
  throw DataError(fmt::format(
      "{}: expected a zlib stream of {} decompressed bytes, it ends after {} (truncated record)",
      where, declared_bytes, produced));
}

std::string joined_lines(const std::vector<std::string>& lines) {
  std::size_t total = 0;
  for (const std::string& line : lines) total += line.size() + 1;
  std::string text;
  text.reserve(total);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) text.push_back('\n');
    text += lines[i];
  }
  return text;
}

std::string first_nonempty_line_upper(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) {
      std::string line(text.substr(start, std::min<std::size_t>(end - start, 80)));
      for (char& c : line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return line;
    }
    start = end + 1;
  }
  return {};
}

Novel read_austen_novel(std::span<const std::uint8_t> rdb, const fs::path& rdb_path,
                        const AustenBook& book, RecordLocation location) {
  const std::string where =
      fmt::format("{}: record {} at byte offset {} ({} bytes)", rdb_path.string(), book.r_name,
                  location.offset, location.length);
  const std::vector<std::uint8_t> serialized =
      inflate_record(rdb.subspan(location.offset, location.length), where);
  const RObject lines = XdrReader(serialized, where).read_serialized();
  if (lines.type != r_string) {
    throw DataError(fmt::format("{}: expected a character vector of lines, found a {}", where,
                                r_type_name(lines.type)));
  }
  Novel novel{book.title, joined_lines(lines.strings)};
  const std::string first_line = first_nonempty_line_upper(novel.text);
  if (first_line.rfind(book.heading, 0) != 0) {
    throw DataError(fmt::format("{}: expected the text to start with \"{}\", found \"{}\"", where,
                                book.heading, first_line));
  }
  return novel;
}

// ------------------------------------------------------- the char corpus

// Where a training novel's validation tail begins: the first line break at
// or after the nominal cut, so that validation starts on a fresh line.
std::size_t validation_start(const std::string& text, double validation_fraction) {
  const auto cut =
      static_cast<std::size_t>(static_cast<double>(text.size()) * (1.0 - validation_fraction));
  if (cut >= text.size()) return text.size();
  if (cut == 0 || text[cut - 1] == '\n') return cut;
  const std::size_t line_break = text.find('\n', cut);
  return line_break == std::string::npos ? cut : line_break + 1;
}

void append_with_separator(std::string& joined, std::string_view piece) {
  if (!joined.empty() && !piece.empty()) joined.push_back('\n');
  joined.append(piece);
}

// The byte that stands for <unk> in the alphabet: the lowest one the
// training text never uses, avoiding NUL so that the alphabet prints.
std::optional<char> unused_byte(const std::array<bool, 256>& seen) {
  for (int byte = 1; byte < 256; ++byte) {
    if (!seen[byte]) return static_cast<char>(byte);
  }
  if (!seen[0]) return '\0';
  return std::nullopt;
}

std::vector<std::uint8_t> encode(std::string_view text, const std::array<int, 256>& id_of_byte,
                                 std::size_t unknown_id) {
  std::vector<std::uint8_t> ids;
  ids.reserve(text.size());
  for (const char c : text) {
    const int id = id_of_byte[static_cast<unsigned char>(c)];
    ids.push_back(static_cast<std::uint8_t>(id >= 0 ? static_cast<std::size_t>(id) : unknown_id));
  }
  return ids;
}

}  // namespace

ImageSet read_idx(const fs::path& images, const fs::path& labels, std::size_t limit) {
  GzReader image_reader(images, fashion_mnist_package_hint);
  const IdxHeader image_header = read_idx_header(image_reader, 3);
  GzReader label_reader(labels, fashion_mnist_package_hint);
  const IdxHeader label_header = read_idx_header(label_reader, 1);
  if (image_header.item_count != label_header.item_count) {
    throw DataError(fmt::format("{} holds {} images but {} holds {} labels: expected equal counts",
                                images.string(), image_header.item_count, labels.string(),
                                label_header.item_count));
  }
  ImageSet set;
  set.rows = image_header.rows;
  set.cols = image_header.cols;
  set.pixels =
      read_idx_payload(image_reader, image_header.item_count * set.rows * set.cols, "pixels");
  set.labels = read_idx_payload(label_reader, label_header.item_count, "labels");
  if (limit != 0 && limit < set.labels.size()) {
    set.labels.resize(limit);
    set.pixels.resize(limit * set.rows * set.cols);
    set.pixels.shrink_to_fit();
  }
  return set;
}

FashionMnist load_fashion_mnist(const fs::path& dir, std::size_t train_limit,
                                std::size_t test_limit) {
  // The Debian package ships them gzipped; an unpacked copy works too.
  const auto file = [&dir](const char* stem) {
    const fs::path gzipped = dir / (std::string(stem) + ".gz");
    const fs::path plain = dir / stem;
    return fs::exists(gzipped) || !fs::exists(plain) ? gzipped : plain;
  };
  const auto read_checked = [&](const char* image_stem, const char* label_stem, std::size_t limit) {
    ImageSet set = read_idx(file(image_stem), file(label_stem), limit);
    // Fashion-MNIST has ten classes; anything else means the wrong files.
    const auto bad = std::find_if(set.labels.begin(), set.labels.end(),
                                  [](std::uint8_t label) { return label >= 10; });
    if (bad != set.labels.end()) {
      throw DataError(fmt::format("{}: expected class labels 0 to 9, found {} at item {}",
                                  file(label_stem).string(), int{*bad}, bad - set.labels.begin()));
    }
    return set;
  };
  FashionMnist data;
  data.train = read_checked("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train_limit);
  data.test = read_checked("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test_limit);
  return data;
}

std::vector<Novel> load_austen(const fs::path& rdb) {
  fs::path rdx = rdb;
  rdx.replace_extension(".rdx");
  const std::vector<std::uint8_t> rdb_bytes = read_whole_file(rdb, austen_package_hint);
  const std::vector<RecordLocation> locations = read_austen_index(rdx, rdb_bytes.size());
  std::vector<Novel> novels;
  novels.reserve(austen_books.size());
  for (std::size_t i = 0; i < austen_books.size(); ++i) {
    novels.push_back(read_austen_novel(rdb_bytes, rdb, austen_books[i], locations[i]));
  }
  return novels;
}

CharCorpus make_char_corpus(const std::vector<Novel>& novels, const std::string& held_out_title,
                            double validation_fraction) {
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0)) {
    throw std::invalid_argument(
        fmt::format("validation_fraction must be in [0, 1), got {}", validation_fraction));
  }
  const auto held_out = std::find_if(novels.begin(), novels.end(), [&](const Novel& novel) {
    return novel.title == held_out_title;
  });
  if (held_out == novels.end()) {
    std::string titles;
    for (const Novel& novel : novels) titles += (titles.empty() ? "" : ", ") + novel.title;
    throw DataError(fmt::format("no novel titled \"{}\" to hold out; the titles are: {}",
                                held_out_title, titles.empty() ? "(none)" : titles));
  }
  if (novels.size() < 2) throw DataError("need at least two novels: one to train on, one held out");

  // Validation is the tail of every training novel rather than the tail of
  // the last one, so that it samples each novel's style.
  std::string train_text;
  std::string validation_text;
  std::array<bool, 256> seen{};
  for (const Novel& novel : novels) {
    if (&novel == &*held_out) continue;
    const std::size_t split = validation_start(novel.text, validation_fraction);
    append_with_separator(train_text, std::string_view(novel.text).substr(0, split));
    append_with_separator(validation_text, std::string_view(novel.text).substr(split));
    for (const char c : novel.text) seen[static_cast<unsigned char>(c)] = true;
  }
  seen[static_cast<unsigned char>('\n')] = true;  // the separator between pieces

  // <unk> comes after the sorted alphabet so that the ids of real
  // characters stay in byte order; for Austen its byte is 0x01.
  CharCorpus corpus;
  std::array<int, 256> id_of_byte{};
  id_of_byte.fill(-1);
  for (int byte = 0; byte < 256; ++byte) {
    if (!seen[byte]) continue;
    id_of_byte[byte] = static_cast<int>(corpus.alphabet.size());
    corpus.alphabet.push_back(static_cast<char>(byte));
  }
  const std::optional<char> unknown_byte = unused_byte(seen);
  if (!unknown_byte) {
    throw DataError("the training text uses all 256 byte values: no id is left for <unk>");
  }
  corpus.unknown_id = corpus.alphabet.size();
  corpus.alphabet.push_back(*unknown_byte);

  corpus.train = encode(train_text, id_of_byte, corpus.unknown_id);
  corpus.validation = encode(validation_text, id_of_byte, corpus.unknown_id);
  corpus.test = encode(held_out->text, id_of_byte, corpus.unknown_id);
  corpus.held_out_title = held_out->title;
  return corpus;
}

}  // namespace joule::bench
