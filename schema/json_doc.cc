// config.json reading. nlohmann/json 3.11 keeps no source positions, so the text is read by a small
// recursive-descent parser of our own into a JsonValue tree (json_value.h) whose values remember
// their offset in the text; line:col is computed from the offset when a diagnostic is made. The
// parser also owns the syntax errors: nlohmann's talk about "string literal" tokens, not about the
// config. Values come out as nlohmann's parser makes them (number_unsigned / number_integer /
// number_float, members in key order, last duplicate key wins); json_doc_test compares the two on
// every fixture. The issue asks for 10,000 default configs/s, load to plan: the tree costs one
// arena block per document where nlohmann::json costs an allocation or more per value.
#include "schema/json_doc.h"
#include "schema/schema_json.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace runc {

int Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  auto cont = [&](int i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  unsigned char c = p[0];
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

namespace {

// Deeper documents are rejected rather than risking the stack in the recursive parser (and in
// nlohmann's recursive destructor). Real configs nest 6 levels.
constexpr int kMaxDepth = 512;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}

// Column in characters, not bytes: UTF-8 continuation bytes do not start a character.
int ColumnOf(const char* line_start, const char* p) {
  int col = 1;
  for (const char* q = line_start; q < p; ++q) {
    if ((static_cast<unsigned char>(*q) & 0xC0) != 0x80) ++col;
  }
  return col;
}

Position PositionAt(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  Position pos{1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      line_start = i + 1;
    }
  }
  pos.col = ColumnOf(text.data() + line_start, text.data() + offset);
  return pos;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}


// How an unexpected character is named in a message: 'x', or U+XXXX when it is not printable.
std::string Describe(const char* p, const char* end) {
  if (p >= end) return "end of file";
  unsigned char c = static_cast<unsigned char>(*p);
  if (c == '\'') return "\"'\"";
  if (c > 0x20 && c < 0x7F) return std::string("'") + *p + "'";
  uint32_t cp = c;
  if (c >= 0x80) {
    int len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(p),
                                 reinterpret_cast<const unsigned char*>(end));
    if (len == 0) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "byte 0x%02X (not UTF-8)", c);
      return buf;
    }
    cp = len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<unsigned char>(p[i]) & 0x3F);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "character U+%04X", cp);
  return buf;
}

// Skips printable ASCII other than '"' and '\\' (what a string holds without escapes), eight bytes
// at a time while eight remain: most of a config's bytes are in such runs.
const char* SkipPlain(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    const uint64_t quote = x ^ (kOnes * '"');
    const uint64_t backslash = x ^ (kOnes * '\\');
    // A byte is flagged when it is below 0x20, is '"' or '\\' (XOR made it zero), or is >= 0x80.
    const uint64_t stop = ((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | x) & kHigh;
    // A borrow can only flag a byte above one that is flagged anyway, so the lowest flag (x86 is
    // little-endian: the first byte in memory) is the first byte that stops the run.
    if (stop != 0) return p + __builtin_ctzll(stop) / 8;
    p += 8;
  }
  while (p < end) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    ++p;
  }
  return p;
}

class Parser {
 public:
  Parser(std::string_view text, JsonArena& arena)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), arena_(arena) {}

  // Parses the whole document into `out`. On failure, error_offset() / error() say where and what.
  bool Run(JsonValue& out) {
    // nlohmann skips a UTF-8 byte order mark; so do we.
    if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
    SkipWhitespace();
    if (p_ == end_) return Fail(p_, "empty file, expected a JSON object");
    if (!Value(0, out)) return false;
    SkipWhitespace();
    if (p_ != end_) return Fail(p_, "unexpected " + Describe(p_, end_) + " after the end of the JSON document");
    return true;
  }

  size_t error_offset() const { return static_cast<size_t>(error_at_ - begin_); }
  const std::string& error() const { return error_; }

 private:
  bool Fail(const char* at, std::string message) {
    error_at_ = at;
    error_ = std::move(message);
    return false;
  }

  uint32_t Offset() const { return static_cast<uint32_t>(p_ - begin_); }

  void SkipWhitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
  }

  // Hints for the usual ways a hand-written config goes wrong.
  std::string Hint(const char* at) const {
    if (at >= end_) return "";
    if (*at == '\'') return " (strings take double quotes)";
    if (*at == '/' || *at == '#') return " (comments are not allowed in JSON)";
    return "";
  }

  bool Value(int depth, JsonValue& out) {
    if (depth > kMaxDepth) return Fail(p_, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (p_ == end_) return Fail(p_, "unexpected end of file, expected a value");
    const uint32_t offset = Offset();
    char c = *p_;
    if (c == '"') {
      std::string_view value;
      if (!String(value)) return false;
      out = JsonBuilder::String(value, offset);
      return true;
    }
    if (c == '{') return Object(depth, offset, out);
    if (c == '[') return Array(depth, offset, out);
    if (c == '-' || IsDigit(c)) return Number(offset, out);
    if (IsWordChar(c)) return Literal(offset, out);
    return Fail(p_, "unexpected " + Describe(p_, end_) + ", expected a value" + Hint(p_));
  }

  // Members are collected on a stack shared by all levels and copied to the arena, sorted, when
  // the object ends.
  bool Object(int depth, uint32_t offset, JsonValue& out) {
    const size_t base = members_.size();
    ++p_;
    SkipWhitespace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      out = JsonBuilder::Object({}, offset, arena_);
      return true;
    }
    bool after_comma = false;
    while (true) {
      if (p_ == end_ || *p_ != '"') {
        if (after_comma && p_ < end_ && *p_ == '}') {
          return Fail(p_, "unexpected '}', expected a member name (trailing comma?)");
        }
        return Fail(p_, "unexpected " + Describe(p_, end_) + ", expected a member name" +
                            (after_comma ? "" : " or '}'") + Hint(p_));
      }
      std::string_view key;
      if (!String(key)) return false;
      SkipWhitespace();
      if (p_ == end_ || *p_ != ':') {
        return Fail(p_, "unexpected " + Describe(p_, end_) + ", expected ':' after member name");
      }
      ++p_;
      SkipWhitespace();
      JsonValue value;
      if (!Value(depth + 1, value)) return false;
      members_.push_back(JsonMember{key, value});
      SkipWhitespace();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        SkipWhitespace();
        after_comma = true;
        continue;
      }
      if (p_ < end_ && *p_ == '}') {
        ++p_;
        out = JsonBuilder::Object(std::span<JsonMember>(members_.data() + base, members_.size() - base), offset,
                                  arena_);
        members_.resize(base);
        return true;
      }
      return Fail(p_, "unexpected " + Describe(p_, end_) + ", expected ',' or '}'" +
                          (p_ < end_ && *p_ == '"' ? " (missing comma?)" : Hint(p_)));
    }
  }

  bool Array(int depth, uint32_t offset, JsonValue& out) {
    const size_t base = elements_.size();
    ++p_;
    SkipWhitespace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      out = JsonBuilder::Array({}, offset, arena_);
      return true;
    }
    while (true) {
      if (elements_.size() > base && p_ < end_ && *p_ == ']') {
        return Fail(p_, "unexpected ']', expected a value (trailing comma?)");
      }
      JsonValue value;
      if (!Value(depth + 1, value)) return false;
      elements_.push_back(value);
      SkipWhitespace();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        SkipWhitespace();
        continue;
      }
      if (p_ < end_ && *p_ == ']') {
        ++p_;
        out = JsonBuilder::Array(std::span<const JsonValue>(elements_.data() + base, elements_.size() - base),
                                 offset, arena_);
        elements_.resize(base);
        return true;
      }
      bool value_start = p_ < end_ && (*p_ == '"' || *p_ == '{' || *p_ == '[' || *p_ == '-' ||
                                       IsWordChar(*p_));
      return Fail(p_, "unexpected " + Describe(p_, end_) + ", expected ',' or ']'" +
                          (value_start ? " (missing comma?)" : Hint(p_)));
    }
  }

  // A string at p_ (on the opening quote). Without escapes the result points into the text;
  // with escapes it is decoded into the arena.
  bool String(std::string_view& out) {
    ++p_;
    const char* start = p_;
    bool decoding = false;
    while (true) {
      // Plain printable ASCII runs are the common case: skip (or copy) them in one go.
      const char* run = p_;
      p_ = SkipPlain(p_, end_);
      if (decoding) scratch_.append(run, static_cast<size_t>(p_ - run));
      if (p_ == end_) return Fail(p_, "unexpected end of file in a string (missing '\"'?)");
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = decoding ? arena_.CopyString(scratch_) : std::string_view(start, static_cast<size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (!decoding) {
          scratch_.assign(start, static_cast<size_t>(p_ - start));
          decoding = true;
        }
        if (!Escape(scratch_)) return false;
        continue;
      }
      if (c == '\n') return Fail(p_, "unterminated string (missing '\"' before the end of the line)");
      if (c < 0x20) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "control character U+%04X in a string must be escaped", c);
        return Fail(p_, buf);
      }
      int len = Utf8SequenceLength(reinterpret_cast<const unsigned char*>(p_),
                                   reinterpret_cast<const unsigned char*>(end_));
      if (len == 0) return Fail(p_, "invalid UTF-8 byte in a string");
      if (decoding) scratch_.append(p_, static_cast<size_t>(len));
      p_ += len;
    }
  }

  bool Hex4(const char* at, uint32_t& value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      if (at + i >= end_) return false;
      char c = at[i];
      int digit;
      if (IsDigit(c)) {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return false;
      }
      value = value * 16 + static_cast<uint32_t>(digit);
    }
    return true;
  }

  bool Escape(std::string& out) {
    const char* start = p_;
    ++p_;
    if (p_ == end_) return Fail(p_, "unexpected end of file in a string (missing '\"'?)");
    char c = *p_++;
    char decoded = 0;
    switch (c) {
      case '"': decoded = '"'; break;
      case '\\': decoded = '\\'; break;
      case '/': decoded = '/'; break;
      case 'b': decoded = '\b'; break;
      case 'f': decoded = '\f'; break;
      case 'n': decoded = '\n'; break;
      case 'r': decoded = '\r'; break;
      case 't': decoded = '\t'; break;
      case 'u': {
        uint32_t cp;
        if (!Hex4(p_, cp)) return Fail(start, "invalid \\u escape (expected 4 hex digits)");
        p_ += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(start, "invalid \\u escape (lone low surrogate)");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u' || !Hex4(p_ + 2, low) || low < 0xDC00 ||
              low > 0xDFFF) {
            return Fail(start, "invalid \\u escape (high surrogate without a low surrogate)");
          }
          p_ += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, out);
        return true;
      }
      default:
        return Fail(start, "invalid escape '\\" + std::string(1, c) + "' in a string");
    }
    out += decoded;
    return true;
  }

  bool Number(uint32_t offset, JsonValue& out) {
    const char* start = p_;
    bool integral = true;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !IsDigit(*p_)) {
      return Fail(p_, "invalid number: expected a digit after '-'");
    }
    if (*p_ == '0') {
      ++p_;
      if (p_ < end_ && IsDigit(*p_)) return Fail(start, "invalid number: leading zeros are not allowed");
    } else {
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail(p_, "invalid number: expected a digit after '.'");
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail(p_, "invalid number: expected a digit in the exponent");
      while (p_ < end_ && IsDigit(*p_)) ++p_;
    }
    // nlohmann's choice of representation: unsigned when non-negative, signed when negative,
    // double with a fraction or exponent or when the integer does not fit 64 bits.
    if (integral) {
      if (*start == '-') {
        int64_t value;
        auto [end, ec] = std::from_chars(start, p_, value);
        if (ec == std::errc() && end == p_) {
          out = JsonBuilder::Integer(value, offset);
          return true;
        }
      } else {
        uint64_t value;
        auto [end, ec] = std::from_chars(start, p_, value);
        if (ec == std::errc() && end == p_) {
          out = JsonBuilder::Unsigned(value, offset);
          return true;
        }
      }
    }
    // strtod stops at the number's end: the next character is a delimiter, never a digit.
    std::string token(start, p_);
    double value = std::strtod(token.c_str(), nullptr);
    // nlohmann refuses what does not fit a double rather than storing infinity.
    if (std::isinf(value)) return Fail(start, "number " + token + " is out of range");
    out = JsonBuilder::Float(value, offset);
    return true;
  }

  bool Literal(uint32_t offset, JsonValue& out) {
    const char* start = p_;
    while (p_ < end_ && IsWordChar(*p_)) ++p_;
    std::string_view word(start, static_cast<size_t>(p_ - start));
    if (word == "true") {
      out = JsonBuilder::Boolean(true, offset);
      return true;
    }
    if (word == "false") {
      out = JsonBuilder::Boolean(false, offset);
      return true;
    }
    if (word == "null") {
      out = JsonBuilder::Null(offset);
      return true;
    }
    return Fail(start, "invalid literal '" + std::string(word) + "', expected true, false, null, a number or a string");
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  JsonArena& arena_;
  std::vector<JsonValue> elements_;  // arrays being built, innermost last
  std::vector<JsonMember> members_;  // objects being built, innermost last
  std::string scratch_;              // a string with escapes, being decoded
  const char* error_at_ = nullptr;
  std::string error_;
};

// Where a value starts, as an editor counts: the byte order mark is not a column.
Position ValuePosition(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  Position pos{1, 1};
  size_t line_start = text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (const char* p = text.data(); (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + offset - p)));) {
    ++pos.line;
    ++p;
    line_start = static_cast<size_t>(p - text.data());
  }
  pos.col = ColumnOf(text.data() + line_start, text.data() + offset);
  return pos;
}

// The deepest value on `pointer`'s path that exists.
const JsonValue* DeepestOnPath(const JsonValue& root, std::string_view pointer) {
  const JsonValue* v = &root;
  size_t i = 0;
  while (i < pointer.size()) {
    size_t next = pointer.find('/', i + 1);
    if (next == std::string_view::npos) next = pointer.size();
    const JsonValue* child = v->at_pointer(pointer.substr(i, next - i));
    if (!child) break;
    v = child;
    i = next;
  }
  return v;
}

}  // namespace

Position JsonDocument::PositionOf(std::string_view pointer) const {
  const JsonValue* v = DeepestOnPath(root, pointer);
  if (v->offset() == JsonValue::kNoOffset) return {};
  return ValuePosition(text_, v->offset());
}

Diagnostic JsonDocument::Diag(const std::string& pointer, std::string message) const {
  Position pos = PositionOf(pointer);
  Diagnostic d;
  d.file = filename;
  d.line = pos.line;
  d.col = pos.col;
  d.pointer = pointer;
  d.message = std::move(message);
  return d;
}

void JsonDocument::Assign(const nlohmann::json& value) {
  arena_ = JsonArena();
  text_ = {};
  root = JsonBuilder::FromNlohmann(value, arena_);
}

bool ParseJson(std::string_view text, const std::string& filename, JsonDocument& out, Diagnostics& diags) {
  out.arena_ = JsonArena();
  out.root = JsonValue();
  out.filename = filename;
  // One block for the text and the tree: real configs need about one and a half times their size
  // for the tree.
  out.arena_.Reserve(text.size() * 3 + 1024);
  char* copy = text.empty() ? nullptr : static_cast<char*>(out.arena_.Allocate(text.size(), 1));
  if (copy) std::memcpy(copy, text.data(), text.size());
  out.text_ = std::string_view(copy, text.size());
  Parser parser(out.text_, out.arena_);
  if (!parser.Run(out.root)) {
    Position pos = PositionAt(out.text_, parser.error_offset());
    diags.push_back(Diagnostic{filename, pos.line, pos.col, "", "syntax error: " + parser.error(), 0});
    out.root = JsonValue();
    return false;
  }
  return true;
}

bool ParseJsonTree(std::string_view text, JsonArena& arena, JsonValue& out, std::string* error) {
  Parser parser(text, arena);
  if (parser.Run(out)) return true;
  out = JsonValue();
  if (error) {
    Position pos = PositionAt(text, parser.error_offset());
    *error = std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": syntax error: " + parser.error();
  }
  return false;
}

bool ParseJsonValue(std::string_view text, nlohmann::json& out, std::string* error) {
  JsonArena arena;
  JsonValue tree;
  if (!ParseJsonTree(text, arena, tree, error)) return false;
  out = ToNlohmann(tree);
  return true;
}

namespace {

bool ReadJson(const std::string& path, const std::string& display_name, bool regular_only, JsonDocument& out,
              Diagnostics& diags) {
  auto fail = [&](int err, std::string message) {
    diags.push_back(Diagnostic{display_name, 0, 0, "", std::move(message), err});
    return false;
  };
  auto fail_errno = [&](int err) {
    std::string message = std::strerror(err);
    if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
    return fail(err, std::move(message));
  };
  static_assert(kMaxJsonFileSize == 16 * 1024 * 1024, "the message below names the cap");
  const char* const kTooLarge = "larger than 16 MiB";
  // The bundle is the caller's and may be hostile: `config.json -> /dev/zero` used to be read until
  // std::bad_alloc, a fifo without a writer blocked open(2) forever, and opening some devices does
  // something by itself (a tape rewinds, a watchdog starts). So what stat(2) says is not a regular
  // file is refused without being opened; O_NONBLOCK keeps open from waiting should the path be
  // swapped for a fifo in between, and fstat on the open file is what is finally trusted.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return fail_errno(errno);
  // The command line's own input (!regular_only) may be anything but a directory.
  auto refused = [&](mode_t mode) {
    return regular_only ? !S_ISREG(mode) : S_ISDIR(mode);
  };
  auto refuse = [&]() { return regular_only ? fail(0, "not a regular file") : fail(EISDIR, "is a directory"); };
  if (refused(st.st_mode)) return refuse();
  // A pipe named on the command line (`--process <(...)`, `/dev/stdin`) is read as it comes: it
  // has a writer, and O_NONBLOCK would make its read return EAGAIN before the writer wrote.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0));
  if (fd < 0) return fail_errno(errno);
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail_errno(err);
  }
  if (refused(st.st_mode)) {
    ::close(fd);
    return refuse();
  }
  if (S_ISREG(st.st_mode) && st.st_size > static_cast<off_t>(kMaxJsonFileSize)) {
    ::close(fd);
    return fail(0, kTooLarge);
  }
  std::string text;
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return fail_errno(err);
    }
    if (n == 0) break;
    // The file may grow while it is read.
    if (text.size() + static_cast<size_t>(n) > kMaxJsonFileSize) {
      ::close(fd);
      return fail(0, kTooLarge);
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return ParseJson(text, display_name, out, diags);
}

}  // namespace

bool ReadJsonFile(const std::string& path, const std::string& display_name, JsonDocument& out,
                  Diagnostics& diags) {
  return ReadJson(path, display_name, /*regular_only=*/true, out, diags);
}

bool ReadJsonInput(const std::string& path, const std::string& display_name, JsonDocument& out,
                   Diagnostics& diags) {
  return ReadJson(path, display_name, /*regular_only=*/false, out, diags);
}

}  // namespace runc
