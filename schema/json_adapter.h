// Module-internal: a valijson adapter over JsonValue, so that valijson validates (and reads the
// schema from) the front end's own tree. It behaves as valijson's NlohmannJsonAdapter does on the
// same values (strict types; unsigned integers read as int64_t), so validation results and messages
// are those the nlohmann adapter gave.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "schema/json_value.h"

namespace runc::json_adapter {

class Adapter;
class ArrayIterator;
class ObjectIterator;

using ObjectMember = std::pair<std::string, Adapter>;

class Array {
 public:
  using const_iterator = ArrayIterator;
  using iterator = ArrayIterator;

  Array() : value_(&Empty()) {}
  explicit Array(const JsonValue& value) : value_(&value) {}

  ArrayIterator begin() const;
  ArrayIterator end() const;
  size_t size() const { return value_->elements().size(); }

 private:
  static const JsonValue& Empty() {
    static const JsonValue empty{};
    return empty;
  }
  const JsonValue* value_;
};

class Object {
 public:
  using const_iterator = ObjectIterator;
  using iterator = ObjectIterator;

  Object() : value_(&Empty()) {}
  explicit Object(const JsonValue& value) : value_(&value) {}

  ObjectIterator begin() const;
  ObjectIterator end() const;
  ObjectIterator find(const std::string& name) const;
  size_t size() const { return value_->items().size(); }

 private:
  static const JsonValue& Empty() {
    static const JsonValue empty{};
    return empty;
  }
  const JsonValue* value_;
};

class Value;

class FrozenValue : public valijson::adapters::FrozenValue {
 public:
  explicit FrozenValue(const JsonValue& value) : value_(value) {}
  valijson::adapters::FrozenValue* clone() const override { return new FrozenValue(value_); }
  bool equalTo(const valijson::adapters::Adapter& other, bool strict) const override;

 private:
  // Points into the tree it was frozen from: only the schema is frozen, and it is never freed.
  JsonValue value_;
};

class Value {
 public:
  Value() : value_(&Empty()) {}
  explicit Value(const JsonValue& value) : value_(&value) {}

  valijson::adapters::FrozenValue* freeze() const { return new FrozenValue(*value_); }

  ::opt::optional<Array> getArrayOptional() const {
    if (value_->is_array()) return ::opt::make_optional(Array(*value_));
    return {};
  }
  bool getArraySize(size_t& result) const {
    if (!value_->is_array()) return false;
    result = value_->size();
    return true;
  }
  bool getBool(bool& result) const {
    if (!value_->is_boolean()) return false;
    result = value_->boolean();
    return true;
  }
  bool getDouble(double& result) const {
    if (!value_->is_number_float()) return false;
    result = value_->number();
    return true;
  }
  bool getInteger(int64_t& result) const {
    if (!value_->is_number_integer()) return false;
    result = value_->integer();
    return true;
  }
  ::opt::optional<Object> getObjectOptional() const {
    if (value_->is_object()) return ::opt::make_optional(Object(*value_));
    return {};
  }
  bool getObjectSize(size_t& result) const {
    if (!value_->is_object()) return false;
    result = value_->size();
    return true;
  }
  bool getString(std::string& result) const {
    if (!value_->is_string()) return false;
    result.assign(value_->str());
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return value_->is_array(); }
  bool isBool() const { return value_->is_boolean(); }
  bool isDouble() const { return value_->is_number_float(); }
  bool isInteger() const { return value_->is_number_integer(); }
  bool isNull() const { return value_->is_null(); }
  bool isNumber() const { return value_->is_number(); }
  bool isObject() const { return value_->is_object(); }
  bool isString() const { return value_->is_string(); }

 private:
  static const JsonValue& Empty() {
    static const JsonValue empty = [] {
      static JsonArena arena;
      return JsonBuilder::Object({}, JsonValue::kNoOffset, arena);
    }();
    return empty;
  }
  const JsonValue* value_;
};

class Adapter : public valijson::adapters::BasicAdapter<Adapter, Array, ObjectMember, Object, Value> {
 public:
  Adapter() = default;
  explicit Adapter(const JsonValue& value) : BasicAdapter(Value(value)) {}
};

class ArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = Adapter;
  using difference_type = Adapter;
  using pointer = Adapter*;
  using reference = Adapter&;

  explicit ArrayIterator(const JsonValue* p) : p_(p) {}
  Adapter operator*() const { return Adapter(*p_); }
  valijson::adapters::DerefProxy<Adapter> operator->() const { return valijson::adapters::DerefProxy<Adapter>(**this); }
  bool operator==(const ArrayIterator& other) const { return p_ == other.p_; }
  bool operator!=(const ArrayIterator& other) const { return p_ != other.p_; }
  const ArrayIterator& operator++() {
    ++p_;
    return *this;
  }
  ArrayIterator operator++(int) {
    ArrayIterator before(p_);
    ++p_;
    return before;
  }
  const ArrayIterator& operator--() {
    --p_;
    return *this;
  }
  void advance(std::ptrdiff_t n) { p_ += n; }

 private:
  const JsonValue* p_;
};

class ObjectIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = ObjectMember;
  using difference_type = ObjectMember;
  using pointer = ObjectMember*;
  using reference = ObjectMember&;

  explicit ObjectIterator(const JsonMember* p) : p_(p) {}
  ObjectMember operator*() const { return ObjectMember(std::string(p_->first), Adapter(p_->second)); }
  valijson::adapters::DerefProxy<ObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<ObjectMember>(**this);
  }
  bool operator==(const ObjectIterator& other) const { return p_ == other.p_; }
  bool operator!=(const ObjectIterator& other) const { return p_ != other.p_; }
  const ObjectIterator& operator++() {
    ++p_;
    return *this;
  }
  ObjectIterator operator++(int) {
    ObjectIterator before(p_);
    ++p_;
    return before;
  }
  const ObjectIterator& operator--() {
    --p_;
    return *this;
  }

 private:
  const JsonMember* p_;
};

inline ArrayIterator Array::begin() const { return ArrayIterator(value_->elements().data()); }
inline ArrayIterator Array::end() const {
  auto e = value_->elements();
  return ArrayIterator(e.data() + e.size());
}
inline ObjectIterator Object::begin() const { return ObjectIterator(value_->items().data()); }
inline ObjectIterator Object::end() const {
  auto m = value_->items();
  return ObjectIterator(m.data() + m.size());
}
inline ObjectIterator Object::find(const std::string& name) const {
  const JsonMember* m = value_->find_member(name);
  return m ? ObjectIterator(m) : end();
}

inline bool FrozenValue::equalTo(const valijson::adapters::Adapter& other, bool strict) const {
  return Adapter(value_).equalTo(other, strict);
}

}  // namespace runc::json_adapter

template <>
struct valijson::adapters::AdapterTraits<runc::json_adapter::Adapter> {
  using DocumentType = runc::JsonValue;
  static std::string adapterName() { return "JsonValueAdapter"; }
};
