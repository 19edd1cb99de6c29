#pragma once
// The subset of R's serialization format (XDR, version 2 or 3) that
// janeaustenr's lazy-load database uses, read from a decompressed buffer.
// Every length is checked against the bytes that remain, and nesting is
// bounded, so a damaged record gives a DataError naming the file, the record
// and the byte, never a crash or a huge allocation.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace joule::bench::detail {

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

struct RAttribute;

// The subset of R objects the lazy-load index and the novels use.
struct RObject {
  std::uint32_t type = r_nil;
  std::string symbol;                 // r_symbol, r_char
  std::vector<std::string> strings;   // r_string; NA_character_ reads as ""
  std::vector<std::int32_t> numbers;  // r_integer, r_logical
  std::vector<RObject> elements;      // r_list; the values of an r_pairlist
  std::vector<std::string> tags;      // r_pairlist: one per element, "" when untagged
  // A struct declared ahead rather than std::pair<std::string, RObject>:
  // clang instantiates the pair while RObject is still incomplete and
  // rejects it, and this reader must build with clang's fuzzer.
  std::vector<RAttribute> attributes;

  const RObject* attribute(std::string_view name) const;
};

struct RAttribute {
  std::string name;
  RObject value;
};

inline const RObject* RObject::attribute(std::string_view name) const {
  for (const auto& [attribute_name, attribute_value] : attributes) {
    if (attribute_name == name) return &attribute_value;
  }
  return nullptr;
}

// "character vector", "list", ...: R's name for a type, for messages.
const char* r_type_name(std::uint32_t type);

// One serialized object, which must fill `bytes` exactly. `where` names the
// file and record for messages; positions are decompressed bytes.
RObject read_r_serialized(std::span<const std::uint8_t> bytes, std::string where);

}  // namespace joule::bench::detail
