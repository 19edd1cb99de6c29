#include "bench/r_serialize.hpp"

#include <fmt/format.h>

#include "bench/data.hpp"
#include "bench/data_input.hpp"

namespace joule::bench::detail {

namespace {

constexpr std::uint32_t kRHasAttributesBit = 1u << 9;
constexpr std::uint32_t kRHasTagBit = 1u << 10;
constexpr std::uint32_t kRLatin1Level = 1u << 2;  // in the "levels", flags >> 12
constexpr int kRMaxNesting = 32;                  // the index is 3 deep, a novel 1

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
    if (depth > kRMaxNesting) fail(fmt::format("at most {} nested objects", kRMaxNesting), "more");
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
    if ((flags & kRHasAttributesBit) != 0) object.attributes = read_attributes(depth);
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
    if (((flags >> 12) & kRLatin1Level) != 0) text = latin1_to_utf8(text);
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
      if ((flags & kRHasAttributesBit) != 0) read_attributes(depth);
      std::string tag;
      if ((flags & kRHasTagBit) != 0) {
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

  std::vector<RAttribute> read_attributes(int depth) {
    RObject list = read_item(depth + 1);
    if (list.type != r_pairlist) fail("a pairlist of attributes", r_type_name(list.type));
    std::vector<RAttribute> attributes;
    for (std::size_t i = 0; i < list.elements.size(); ++i) {
      attributes.push_back({std::move(list.tags[i]), std::move(list.elements[i])});
    }
    return attributes;
  }

  std::span<const std::uint8_t> bytes_;
  std::string where_;
  std::size_t position_ = 0;
  std::vector<RObject> references_;
};

}  // namespace

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

RObject read_r_serialized(std::span<const std::uint8_t> bytes, std::string where) {
  return XdrReader(bytes, std::move(where)).read_serialized();
}

}  // namespace joule::bench::detail
