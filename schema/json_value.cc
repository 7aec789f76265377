#include "schema/json_value.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace runc {

// ---- JsonValue ----------------------------------------------------------------------------------

int64_t JsonValue::integer() const {
  switch (type_) {
    case JsonType::kInteger: return int_;
    case JsonType::kUnsigned: return static_cast<int64_t>(uint_);
    case JsonType::kFloat: return static_cast<int64_t>(float_);
    default: return 0;
  }
}

uint64_t JsonValue::unsigned_integer() const {
  switch (type_) {
    case JsonType::kInteger: return static_cast<uint64_t>(int_);
    case JsonType::kUnsigned: return uint_;
    case JsonType::kFloat: return static_cast<uint64_t>(float_);
    default: return 0;
  }
}

double JsonValue::number() const {
  switch (type_) {
    case JsonType::kInteger: return static_cast<double>(int_);
    case JsonType::kUnsigned: return static_cast<double>(uint_);
    case JsonType::kFloat: return float_;
    default: return 0;
  }
}

const JsonMember* JsonValue::FindMemberSorted(std::string_view key) const {
  const JsonMember* first = members_;
  const JsonMember* last = members_ + size_;
  const JsonMember* it = std::lower_bound(
      first, last, key, [](const JsonMember& m, std::string_view k) { return std::string_view(m.first) < k; });
  if (it != last && std::string_view(it->first) == key) return it;
  return nullptr;
}

const JsonValue* JsonValue::at_pointer(std::string_view pointer) const {
  const JsonValue* v = this;
  std::string token;
  size_t i = 0;
  while (i < pointer.size()) {
    if (pointer[i] != '/') return nullptr;
    ++i;
    token.clear();
    while (i < pointer.size() && pointer[i] != '/') {
      char c = pointer[i++];
      if (c == '~') {
        if (i == pointer.size()) return nullptr;
        char e = pointer[i++];
        if (e == '0') {
          c = '~';
        } else if (e == '1') {
          c = '/';
        } else {
          return nullptr;
        }
      }
      token += c;
    }
    if (v->is_object()) {
      v = v->find(token);
      if (!v) return nullptr;
    } else if (v->is_array()) {
      // RFC 6901 array indices: decimal without leading zeros.
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) return nullptr;
      size_t index = 0;
      for (char c : token) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (index >= v->size_) return nullptr;
      v = &v->elements_[index];
    } else {
      return nullptr;
    }
  }
  return v;
}

std::string JsonValue::dump(int indent) const { return ToNlohmann(*this).dump(indent); }

bool operator==(const JsonValue& a, const JsonValue& b) {
  using T = JsonType;
  const T ta = a.type();
  const T tb = b.type();
  if (ta == tb) {
    switch (ta) {
      case T::kNull: return true;
      case T::kBoolean: return a.boolean() == b.boolean();
      case T::kInteger: return a.integer() == b.integer();
      case T::kUnsigned: return a.unsigned_integer() == b.unsigned_integer();
      case T::kFloat: return a.number() == b.number();
      case T::kString: return a.str() == b.str();
      case T::kArray: {
        auto x = a.elements();
        auto y = b.elements();
        return std::equal(x.begin(), x.end(), y.begin(), y.end());
      }
      case T::kObject: {
        auto x = a.items();
        auto y = b.items();
        return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const JsonMember& m, const JsonMember& n) {
          return std::string_view(m.first) == std::string_view(n.first) && m.second == n.second;
        });
      }
    }
    return false;
  }
  // nlohmann's mixed-representation rules.
  if (ta == T::kFloat && b.is_number_integer()) return a.number() == b.number();
  if (tb == T::kFloat && a.is_number_integer()) return a.number() == b.number();
  if (a.is_number_integer() && b.is_number_integer()) return a.integer() == b.integer();
  return false;
}

nlohmann::json ToNlohmann(const JsonValue& value) {
  switch (value.type()) {
    case JsonType::kNull: return nullptr;
    case JsonType::kBoolean: return value.boolean();
    case JsonType::kInteger: return value.integer();
    case JsonType::kUnsigned: return value.unsigned_integer();
    case JsonType::kFloat: return value.number();
    case JsonType::kString: return std::string(value.str());
    case JsonType::kArray: {
      nlohmann::json out = nlohmann::json::array();
      auto& a = out.get_ref<nlohmann::json::array_t&>();
      a.reserve(value.size());
      for (const auto& e : value.elements()) a.push_back(ToNlohmann(e));
      return out;
    }
    case JsonType::kObject: {
      nlohmann::json out = nlohmann::json::object();
      auto& o = out.get_ref<nlohmann::json::object_t&>();
      for (const auto& [key, child] : value.items()) o.emplace_hint(o.end(), std::string(key), ToNlohmann(child));
      return out;
    }
  }
  return nullptr;
}

// ---- JsonArena ----------------------------------------------------------------------------------

JsonArena::JsonArena(JsonArena&& other) noexcept
    : head_(std::exchange(other.head_, nullptr)),
      next_(std::exchange(other.next_, nullptr)),
      end_(std::exchange(other.end_, nullptr)),
      next_block_size_(other.next_block_size_) {}

JsonArena& JsonArena::operator=(JsonArena&& other) noexcept {
  if (this != &other) {
    Clear();
    head_ = std::exchange(other.head_, nullptr);
    next_ = std::exchange(other.next_, nullptr);
    end_ = std::exchange(other.end_, nullptr);
    next_block_size_ = other.next_block_size_;
  }
  return *this;
}

JsonArena::~JsonArena() { Clear(); }

void JsonArena::Clear() {
  while (head_) {
    Block* next = head_->next;
    std::free(head_);
    head_ = next;
  }
  next_ = end_ = nullptr;
}

void JsonArena::Reserve(size_t bytes) {
  if (static_cast<size_t>(end_ - next_) < bytes) next_block_size_ = std::max(next_block_size_, bytes + 64);
}

void* JsonArena::Allocate(size_t bytes, size_t align) {
  auto aligned = [&](char* p) {
    return reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + align - 1) & ~(uintptr_t{align} - 1));
  };
  char* p = next_ ? aligned(next_) : nullptr;
  if (!p || static_cast<size_t>(end_ - p) < bytes) {
    size_t size = std::max(next_block_size_, bytes + align + sizeof(Block));
    auto* block = static_cast<Block*>(std::malloc(size));
    if (!block) throw std::bad_alloc();
    block->next = head_;
    head_ = block;
    next_ = reinterpret_cast<char*>(block) + sizeof(Block);
    end_ = reinterpret_cast<char*>(block) + size;
    next_block_size_ = std::min<size_t>(next_block_size_ * 2, size_t{1} << 20);
    p = aligned(next_);
  }
  next_ = p + bytes;
  return p;
}

std::string_view JsonArena::CopyString(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(Allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

// ---- JsonBuilder --------------------------------------------------------------------------------

JsonValue JsonBuilder::Array(std::span<const JsonValue> elements, uint32_t offset, JsonArena& arena) {
  JsonValue v = Make(JsonType::kArray, offset);
  JsonValue* out = elements.empty() ? nullptr : arena.AllocateArray<JsonValue>(elements.size());
  if (!elements.empty()) std::memcpy(static_cast<void*>(out), elements.data(), elements.size() * sizeof(JsonValue));
  v.elements_ = out;
  v.size_ = static_cast<uint32_t>(elements.size());
  return v;
}

JsonValue JsonBuilder::Object(std::span<JsonMember> members, uint32_t offset, JsonArena& arena) {
  // std::string's order (bytes as unsigned char, then length); keys mostly differ in their first
  // byte, which is compared before calling memcmp.
  auto less = [](const JsonMember& a, const JsonMember& b) {
    const std::string_view x = a.first;
    const std::string_view y = b.first;
    if (!x.empty() && !y.empty() && x[0] != y[0]) {
      return static_cast<unsigned char>(x[0]) < static_cast<unsigned char>(y[0]);
    }
    return x < y;
  };
  if (members.size() <= 32) {
    // Insertion sort: stable, no allocation, and members often come nearly sorted.
    for (size_t i = 1; i < members.size(); ++i) {
      if (!less(members[i], members[i - 1])) continue;
      JsonMember m = members[i];
      size_t j = i;
      while (j > 0 && less(m, members[j - 1])) {
        members[j] = members[j - 1];
        --j;
      }
      members[j] = m;
    }
  } else {
    std::stable_sort(members.begin(), members.end(), less);
  }
  // Of equal keys (now adjacent, in text order) the last one wins.
  size_t kept = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (i + 1 < members.size() && std::string_view(members[i].first) == std::string_view(members[i + 1].first)) {
      continue;
    }
    members[kept++] = members[i];
  }
  JsonValue v = Make(JsonType::kObject, offset);
  JsonMember* out = kept == 0 ? nullptr : arena.AllocateArray<JsonMember>(kept);
  if (kept) std::memcpy(static_cast<void*>(out), members.data(), kept * sizeof(JsonMember));
  v.members_ = out;
  v.size_ = static_cast<uint32_t>(kept);
  return v;
}

JsonValue JsonBuilder::FromNlohmann(const nlohmann::json& value, JsonArena& arena) {
  constexpr uint32_t kNone = JsonValue::kNoOffset;
  switch (value.type()) {
    case nlohmann::json::value_t::boolean: return Boolean(value.get<bool>(), kNone);
    case nlohmann::json::value_t::number_integer: return Integer(value.get<int64_t>(), kNone);
    case nlohmann::json::value_t::number_unsigned: return Unsigned(value.get<uint64_t>(), kNone);
    case nlohmann::json::value_t::number_float: return Float(value.get<double>(), kNone);
    case nlohmann::json::value_t::string:
      return String(arena.CopyString(value.get_ref<const std::string&>()), kNone);
    case nlohmann::json::value_t::array: {
      std::vector<JsonValue> elements;
      elements.reserve(value.size());
      for (const auto& e : value) elements.push_back(FromNlohmann(e, arena));
      return Array(elements, kNone, arena);
    }
    case nlohmann::json::value_t::object: {
      std::vector<JsonMember> members;
      members.reserve(value.size());
      for (const auto& [key, child] : value.items()) {
        members.push_back(JsonMember{arena.CopyString(key), FromNlohmann(child, arena)});
      }
      return Object(members, kNone, arena);
    }
    default: return Null(kNone);
  }
}

}  // namespace runc
