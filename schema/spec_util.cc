#include "schema/spec_util.h"

#include <charconv>
#include <limits>

#include <boost/spirit/home/x3.hpp>

#include "schema/diag.h"

namespace runc::spec_util {

// Both build the pointer in one allocation (none when it fits the small-string buffer): the
// semantic pass and SpecFromJson make one for nearly every array element and member they visit.
std::string Ptr(std::string_view base, std::string_view token) {
  std::string out;
  out.reserve(base.size() + 1 + token.size());
  out.append(base);
  out += '/';
  AppendPointerToken(out, token);
  return out;
}

std::string Ptr(std::string_view base, size_t index) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, index);
  (void)ec;  // 24 digits hold any size_t
  std::string out;
  out.reserve(base.size() + 1 + static_cast<size_t>(end - digits));
  out.append(base);
  out += '/';
  out.append(digits, end);
  return out;
}


std::optional<std::string> String(const Json* v) {
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->str());
}

std::optional<std::string_view> View(const Json* v) {
  if (!v || !v->is_string()) return std::nullopt;
  return v->str();
}

std::optional<bool> Bool(const Json* v) {
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->boolean();
}

std::optional<int64_t> Int(const Json* v) {
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) {
    const auto u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  return std::nullopt;
}

std::optional<uint64_t> Uint(const Json* v) {
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_number_integer()) {
    const auto i = v->get<int64_t>();
    if (i < 0) return std::nullopt;
    return static_cast<uint64_t>(i);
  }
  return std::nullopt;
}

std::vector<std::string> Strings(const Json* v) {
  std::vector<std::string> out;
  const auto list = Array(v);
  out.reserve(list.size());
  for (const auto& e : list) {
    if (e.is_string()) out.emplace_back(e.str());
  }
  return out;
}

std::span<const Json> Array(const Json* v) { return v ? v->elements() : std::span<const Json>(); }

std::span<const JsonMember> Object(const Json* v) { return v ? v->items() : std::span<const JsonMember>(); }

SpecFormat FormatOf(const Json& root) {
  if (!Get(root, "ociVersion") && String(Get(root, "version")) == "pre-draft") return SpecFormat::kPreDraft;
  return SpecFormat::kOci;
}

bool IsAbsolute(std::string_view path) { return !path.empty() && path.front() == '/'; }

bool ParseBlkioLines(std::string_view s, std::vector<BlkioLine>& out, std::string& error) {
  namespace x3 = boost::spirit::x3;
  out.clear();
  if (s.empty()) return true;
  std::vector<BlkioLine> lines;
  auto on_major = [&](auto& ctx) { lines.push_back(BlkioLine{static_cast<int64_t>(x3::_attr(ctx)), 0, 0}); };
  auto on_minor = [&](auto& ctx) { lines.back().minor = static_cast<int64_t>(x3::_attr(ctx)); };
  auto on_value = [&](auto& ctx) { lines.back().value = x3::_attr(ctx); };
  const auto blanks = +x3::char_(" \t");
  const auto line = x3::uint_[on_major] >> ':' >> x3::uint_[on_minor] >> blanks >> x3::ulong_long[on_value];
  const auto grammar = line % '\n' >> -x3::lit('\n') >> x3::eoi;
  auto first = s.begin();
  bool ok = false;
  try {
    ok = x3::parse(first, s.end(), grammar);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) {
    error = "invalid blkio device list \"" + std::string(s) + "\" (want \"MAJOR:MINOR VALUE\" lines)";
    return false;
  }
  out = std::move(lines);
  return true;
}

bool ParseClassId(std::string_view s, std::optional<uint32_t>& out, std::string& error) {
  namespace x3 = boost::spirit::x3;
  out.reset();
  if (s.empty()) return true;
  uint32_t value = 0;
  auto first = s.begin();
  const auto hex = x3::no_case[x3::lit("0x")] >> x3::uint_parser<uint32_t, 16>();
  const auto dec = x3::uint_parser<uint32_t, 10>();
  bool ok = false;
  try {
    ok = x3::parse(first, s.end(), (hex | dec) >> x3::eoi, value);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) {
    error = "invalid class id \"" + std::string(s) + "\"";
    return false;
  }
  out = value;
  return true;
}

char PreDraftDeviceType(int64_t type) {
  switch (type) {
    case 'c': return 'c';
    case 'b': return 'b';
    case 'u': return 'u';
    case 'p': return 'p';
    default: return 0;
  }
}

}  // namespace runc::spec_util
