// Jane Austen's novels, read from janeaustenr's lazy-load database
// (data/Rdata.rdb and .rdx) with zlib, so R is not needed; and the
// character corpus built from them (see data.hpp).
#include <zlib.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "bench/data.hpp"
#include "bench/data_input.hpp"
#include "bench/r_serialize.hpp"

namespace joule::bench {
namespace {

using namespace detail;

constexpr const char* austen_package_hint =
    "Jane Austen's novels come from the Debian package r-cran-janeaustenr (install it with "
    "`sudo apt-get install r-cran-janeaustenr`), or point joule bench --austen at a copy of "
    "its data/Rdata.rdb with Rdata.rdx beside it";

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
  const std::vector<std::uint8_t> bytes = reader.read_up_to(kMaxDecompressedBytes + 1);
  if (bytes.size() > kMaxDecompressedBytes) {
    reader.fail(fmt::format("expected at most {} decompressed bytes of index, found more",
                            kMaxDecompressedBytes));
  }
  reader.at_end();  // reports a cut-off gzip stream
  const RObject index = read_r_serialized(bytes, rdx.string());
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

// A record: the decompressed length as a big-endian uint32, then one zlib
// stream that must decompress to exactly that many bytes.
std::vector<std::uint8_t> inflate_record(std::span<const std::uint8_t> record,
                                         const std::string& where) {
  const std::size_t declared_bytes = big_endian_u32(record, 0);
  if (declared_bytes > kMaxDecompressedBytes) {
    throw DataError(fmt::format("{}: expected a decompressed length of at most {} bytes, found {}",
                                where, kMaxDecompressedBytes, declared_bytes));
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
  const RObject lines = read_r_serialized(serialized, where);
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
