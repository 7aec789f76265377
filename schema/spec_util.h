// Helpers shared by the semantic pass and SpecFromJson: non-throwing access to JsonValues,
// pointer building, and the pre-draft's string-encoded fields. Internal to schema/.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/json_value.h"
#include "schema/spec.h"

namespace runc::spec_util {

using Json = JsonValue;

// `base` + "/" + escaped token.
std::string Ptr(std::string_view base, std::string_view token);
std::string Ptr(std::string_view base, size_t index);

// Member `key` of an object, or nullptr (also when `v` is not an object or the member is null).
// Inline: the semantic pass and SpecFromJson look up a few hundred members per config.
inline const Json* Get(const Json& v, std::string_view key) {
  const Json* member = v.find(key);
  return member && !member->is_null() ? member : nullptr;
}
inline const Json* Get(const Json* v, std::string_view key) { return v ? Get(*v, key) : nullptr; }

// Typed reads; nullopt when absent, null or of another type. Nothing here throws.
std::optional<std::string> String(const Json* v);
std::optional<std::string_view> View(const Json* v);  // String without the copy
std::optional<bool> Bool(const Json* v);
std::optional<int64_t> Int(const Json* v);     // integers representable as int64
std::optional<uint64_t> Uint(const Json* v);   // non-negative integers
std::vector<std::string> Strings(const Json* v);  // the string elements of an array

// Array elements / object members (in key order), empty when `v` is not of that kind.
std::span<const Json> Array(const Json* v);
std::span<const JsonMember> Object(const Json* v);

SpecFormat FormatOf(const Json& root);

bool IsAbsolute(std::string_view path);

// Pre-draft blockIO fields held cgroup file contents: "MAJ:MIN VALUE" lines ("8:0 1048576").
struct BlkioLine {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t value = 0;
};
// "" -> no lines. A trailing newline is allowed.
bool ParseBlkioLines(std::string_view s, std::vector<BlkioLine>& out, std::string& error);

// Pre-draft net_cls class id as a string ("", "0x100001", "1048577"); "" -> nullopt, no error.
bool ParseClassId(std::string_view s, std::optional<uint32_t>& out, std::string& error);

// Pre-draft numeric device types are the runes of libcontainer's Device.Type: 99 'c', 98 'b',
// 117 'u', 112 'p'. 0 when unknown.
char PreDraftDeviceType(int64_t type);

}  // namespace runc::spec_util
