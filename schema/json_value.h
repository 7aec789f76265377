// The config document as the front end reads it: an immutable JSON tree whose nodes, member arrays
// and decoded strings live in one arena owned by the document, with strings that need no decoding
// pointing into the document's copy of the text, and every value remembering the byte offset where
// it starts. Reading a config this way costs one or two allocations instead of one or more per
// value (nlohmann::json allocates every object, array, string and map node), and the line:col of a
// value is found from its offset only when a diagnostic needs it.
//
// The values are nlohmann's: the same number representations (unsigned when non-negative, signed
// when negative, double with a fraction or exponent or out of 64-bit range), object members in
// key order with the last duplicate winning, and the same dump(). The accessors are named as in
// nlohmann (is_string, get<T>, size, ...) so that code reading the tree reads like code reading
// nlohmann::json. nlohmann::json remains what the project writes JSON with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

namespace runc {

class JsonValue;
struct JsonMember;

enum class JsonType : uint8_t { kNull, kBoolean, kInteger, kUnsigned, kFloat, kString, kArray, kObject };

// An object member's name. A string_view that also converts to std::string, so that it can index a
// std::map<std::string, ...> as nlohmann's keys can.
struct JsonKey : std::string_view {
  using std::string_view::string_view;
  constexpr JsonKey(std::string_view s) : std::string_view(s) {}  // NOLINT: implicit by design
  operator std::string() const { return std::string(data(), size()); }  // NOLINT
};

class JsonValue {
 public:
  static constexpr uint32_t kNoOffset = UINT32_MAX;

  constexpr JsonValue() = default;

  JsonType type() const { return type_; }
  bool is_null() const { return type_ == JsonType::kNull; }
  bool is_boolean() const { return type_ == JsonType::kBoolean; }
  // As in nlohmann: "integer" covers signed and unsigned, "number" every numeric type.
  bool is_number_integer() const { return type_ == JsonType::kInteger || type_ == JsonType::kUnsigned; }
  bool is_number_unsigned() const { return type_ == JsonType::kUnsigned; }
  bool is_number_float() const { return type_ == JsonType::kFloat; }
  bool is_number() const { return is_number_integer() || is_number_float(); }
  bool is_string() const { return type_ == JsonType::kString; }
  bool is_array() const { return type_ == JsonType::kArray; }
  bool is_object() const { return type_ == JsonType::kObject; }
  bool is_structured() const { return is_array() || is_object(); }

  // Byte offset of the value's first character in the document text; kNoOffset for values that
  // were not parsed from text.
  uint32_t offset() const { return offset_; }

  // Scalars. The number getters convert as nlohmann's get<T>() does (static_cast between the three
  // representations); each returns a zero value for other types.
  bool boolean() const { return type_ == JsonType::kBoolean && bool_; }
  int64_t integer() const;
  uint64_t unsigned_integer() const;
  double number() const;
  std::string_view str() const { return is_string() ? std::string_view(str_, size_) : std::string_view(); }

  // nlohmann-style reads, for code that reads like nlohmann code.
  template <typename T>
  T get() const {
    if constexpr (std::is_same_v<T, std::string>) {
      return std::string(str());
    } else if constexpr (std::is_same_v<T, bool>) {
      return boolean();
    } else if constexpr (std::is_floating_point_v<T>) {
      return static_cast<T>(number());
    } else if constexpr (std::is_unsigned_v<T>) {
      return static_cast<T>(unsigned_integer());
    } else {
      static_assert(std::is_integral_v<T>, "JsonValue::get: unsupported type");
      return static_cast<T>(integer());
    }
  }

  // Arrays and objects. size() is nlohmann's: elements or members, 0 for null, 1 for a scalar.
  size_t size() const {
    if (is_structured()) return size_;
    return is_null() ? 0 : 1;
  }
  bool empty() const { return size() == 0; }
  // Empty unless an array.
  std::span<const JsonValue> elements() const {
    return is_array() ? std::span<const JsonValue>(elements_, size_) : std::span<const JsonValue>();
  }
  // Empty unless an object; in key order.
  std::span<const JsonMember> items() const;
  const JsonValue& operator[](size_t index) const { return elements()[index]; }
  // The member named `key`, or nullptr (also when this is not an object).
  const JsonMember* find_member(std::string_view key) const;
  const JsonValue* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // The value at an RFC 6901 pointer below this one ("" is this value), or nullptr.
  const JsonValue* at_pointer(std::string_view pointer) const;

  // Serialised exactly as nlohmann::json::dump(indent) would.
  std::string dump(int indent = -1) const;

 private:
  const JsonMember* FindMemberSorted(std::string_view key) const;

  friend class JsonBuilder;

  JsonType type_ = JsonType::kNull;
  uint32_t size_ = 0;  // string bytes, array elements, object members
  uint32_t offset_ = kNoOffset;
  union {
    bool bool_;
    int64_t int_;
    uint64_t uint_ = 0;
    double float_;
    const char* str_;
    const JsonValue* elements_;
    const JsonMember* members_;
  };
};

struct JsonMember {
  JsonKey first;
  JsonValue second;
};

inline std::span<const JsonMember> JsonValue::items() const {
  return is_object() ? std::span<const JsonMember>(members_, size_) : std::span<const JsonMember>();
}

inline const JsonMember* JsonValue::find_member(std::string_view key) const {
  if (type_ != JsonType::kObject) return nullptr;
  // Config objects are small: a scan that compares lengths and first bytes before calling memcmp
  // beats a binary search there.
  if (size_ <= 16) {
    for (const JsonMember* m = members_; m != members_ + size_; ++m) {
      if (m->first.size() == key.size() && (key.empty() || (m->first[0] == key[0] && std::string_view(m->first) == key))) {
        return m;
      }
    }
    return nullptr;
  }
  return FindMemberSorted(key);
}

inline const JsonValue* JsonValue::find(std::string_view key) const {
  const JsonMember* m = find_member(key);
  return m ? &m->second : nullptr;
}

// The length of the well-formed UTF-8 sequence at p (RFC 3629, Unicode table 3-7: what nlohmann's
// parser and serializer accept), 0 when ill-formed or cut short by end.
int Utf8SequenceLength(const unsigned char* p, const unsigned char* end);

// nlohmann::json's operator==: numbers compare by value across representations, objects member by
// member.
bool operator==(const JsonValue& a, const JsonValue& b);

// The same value as an nlohmann::json (for printing and for tests).
nlohmann::json ToNlohmann(const JsonValue& value);

// Memory for one document: blocks freed together when the arena goes away. Move-only; a move keeps
// every pointer into the arena valid.
class JsonArena {
 public:
  JsonArena() = default;
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;
  JsonArena(JsonArena&& other) noexcept;
  JsonArena& operator=(JsonArena&& other) noexcept;
  ~JsonArena();

  // Makes the next block at least `bytes` large (call before the first allocation).
  void Reserve(size_t bytes);
  void* Allocate(size_t bytes, size_t align);
  std::string_view CopyString(std::string_view s);
  template <typename T>
  T* AllocateArray(size_t n) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    return static_cast<T*>(Allocate(n * sizeof(T), alignof(T)));
  }

 private:
  struct Block {
    Block* next;
  };
  void Clear();

  Block* head_ = nullptr;
  char* next_ = nullptr;
  char* end_ = nullptr;
  size_t next_block_size_ = 4096;
};

// Builds JsonValues into an arena (the parser and the conversion from nlohmann use it).
class JsonBuilder {
 public:
  static JsonValue Null(uint32_t offset) { return Make(JsonType::kNull, offset); }
  static JsonValue Boolean(bool b, uint32_t offset) {
    JsonValue v = Make(JsonType::kBoolean, offset);
    v.bool_ = b;
    return v;
  }
  static JsonValue Integer(int64_t i, uint32_t offset) {
    JsonValue v = Make(JsonType::kInteger, offset);
    v.int_ = i;
    return v;
  }
  static JsonValue Unsigned(uint64_t u, uint32_t offset) {
    JsonValue v = Make(JsonType::kUnsigned, offset);
    v.uint_ = u;
    return v;
  }
  static JsonValue Float(double d, uint32_t offset) {
    JsonValue v = Make(JsonType::kFloat, offset);
    v.float_ = d;
    return v;
  }
  // `s` must outlive the value (text of the document or arena memory).
  static JsonValue String(std::string_view s, uint32_t offset) {
    JsonValue v = Make(JsonType::kString, offset);
    v.str_ = s.data();
    v.size_ = static_cast<uint32_t>(s.size());
    return v;
  }
  // Copies the elements into the arena.
  static JsonValue Array(std::span<const JsonValue> elements, uint32_t offset, JsonArena& arena);
  // Sorts `members` by key (stably; the last of equal keys wins, as in nlohmann's parser) and copies
  // the result into the arena. `members` is reordered.
  static JsonValue Object(std::span<JsonMember> members, uint32_t offset, JsonArena& arena);

  // A deep copy of an nlohmann value, without offsets.
  static JsonValue FromNlohmann(const nlohmann::json& value, JsonArena& arena);

 private:
  static JsonValue Make(JsonType type, uint32_t offset) {
    JsonValue v;
    v.type_ = type;
    v.offset_ = offset;
    v.uint_ = 0;
    return v;
  }
};

}  // namespace runc
