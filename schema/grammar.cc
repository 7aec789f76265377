#include "schema/grammar.h"

#include <signal.h>
#include <sys/mount.h>  // MS_*; glibc 2.36 pulls in <linux/mount.h> for MOUNT_ATTR_*

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/spirit/home/x3.hpp>

namespace runc {
namespace {

namespace x3 = boost::spirit::x3;

// Built with reserve+append: g++ 12 at -O3 reports a false -Wrestrict for '"' + std::string + '"'.
std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// Parses all of `s` with `parser`; any Spirit exception (expectation failures) counts as a mismatch.
template <typename Parser, typename Attr>
bool ParseAll(std::string_view s, const Parser& parser, Attr& attr) {
  auto first = s.begin();
  const auto last = s.end();
  try {
    return x3::parse(first, last, parser >> x3::eoi, attr) && first == last;
  } catch (const std::exception&) {
    return false;
  }
}

template <typename Parser>
bool ParseAll(std::string_view s, const Parser& parser) {
  auto first = s.begin();
  const auto last = s.end();
  try {
    return x3::parse(first, last, parser >> x3::eoi) && first == last;
  } catch (const std::exception&) {
    return false;
  }
}

// ---- mount options -------------------------------------------------------------------------------

enum class OptKind {
  kSet,          // flags |= v
  kClear,        // flags &= ~v, remembered in `clear`
  kPropagation,  // propagation = v
  kAttrSet,      // mount_setattr attr_set |= v
  kAttrClear,    // mount_setattr attr_clr |= v
  kAttrAtime,    // mount_setattr atime mode v (see below)
  kIdmap,
  kRidmap,
  kTmpcopyup,
  kNoop,
};

struct OptEffect {
  OptKind kind = OptKind::kNoop;
  uint64_t value = 0;
};

struct MountOptionEntry {
  std::string_view name;
  OptKind kind;
  uint64_t value;
};

// mount(8) flags plus runc's recursive (mount_setattr) variants. Anything not listed here is
// filesystem data.
constexpr MountOptionEntry kMountOptionTable[] = {
    {"defaults", OptKind::kNoop, 0},
    {"ro", OptKind::kSet, MS_RDONLY},
    {"rw", OptKind::kClear, MS_RDONLY},
    {"nosuid", OptKind::kSet, MS_NOSUID},
    {"suid", OptKind::kClear, MS_NOSUID},
    {"nodev", OptKind::kSet, MS_NODEV},
    {"dev", OptKind::kClear, MS_NODEV},
    {"noexec", OptKind::kSet, MS_NOEXEC},
    {"exec", OptKind::kClear, MS_NOEXEC},
    {"sync", OptKind::kSet, MS_SYNCHRONOUS},
    {"async", OptKind::kClear, MS_SYNCHRONOUS},
    {"remount", OptKind::kSet, MS_REMOUNT},
    {"mand", OptKind::kSet, MS_MANDLOCK},
    {"nomand", OptKind::kClear, MS_MANDLOCK},
    {"dirsync", OptKind::kSet, MS_DIRSYNC},
    {"noatime", OptKind::kSet, MS_NOATIME},
    {"atime", OptKind::kClear, MS_NOATIME},
    {"relatime", OptKind::kSet, MS_RELATIME},
    {"norelatime", OptKind::kClear, MS_RELATIME},
    {"strictatime", OptKind::kSet, MS_STRICTATIME},
    {"nostrictatime", OptKind::kClear, MS_STRICTATIME},
    {"nodiratime", OptKind::kSet, MS_NODIRATIME},
    {"diratime", OptKind::kClear, MS_NODIRATIME},
    {"lazytime", OptKind::kSet, MS_LAZYTIME},
    {"nolazytime", OptKind::kClear, MS_LAZYTIME},
    {"iversion", OptKind::kSet, MS_I_VERSION},
    {"noiversion", OptKind::kClear, MS_I_VERSION},
    {"nosymfollow", OptKind::kSet, MS_NOSYMFOLLOW},
    {"symfollow", OptKind::kClear, MS_NOSYMFOLLOW},
    {"silent", OptKind::kSet, MS_SILENT},
    {"loud", OptKind::kClear, MS_SILENT},
    {"bind", OptKind::kSet, MS_BIND},
    {"rbind", OptKind::kSet, MS_BIND | MS_REC},
    {"private", OptKind::kPropagation, MS_PRIVATE},
    {"rprivate", OptKind::kPropagation, MS_PRIVATE | MS_REC},
    {"shared", OptKind::kPropagation, MS_SHARED},
    {"rshared", OptKind::kPropagation, MS_SHARED | MS_REC},
    {"slave", OptKind::kPropagation, MS_SLAVE},
    {"rslave", OptKind::kPropagation, MS_SLAVE | MS_REC},
    {"unbindable", OptKind::kPropagation, MS_UNBINDABLE},
    {"runbindable", OptKind::kPropagation, MS_UNBINDABLE | MS_REC},
    {"rro", OptKind::kAttrSet, MOUNT_ATTR_RDONLY},
    {"rrw", OptKind::kAttrClear, MOUNT_ATTR_RDONLY},
    {"rnosuid", OptKind::kAttrSet, MOUNT_ATTR_NOSUID},
    {"rsuid", OptKind::kAttrClear, MOUNT_ATTR_NOSUID},
    {"rnodev", OptKind::kAttrSet, MOUNT_ATTR_NODEV},
    {"rdev", OptKind::kAttrClear, MOUNT_ATTR_NODEV},
    {"rnoexec", OptKind::kAttrSet, MOUNT_ATTR_NOEXEC},
    {"rexec", OptKind::kAttrClear, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OptKind::kAttrSet, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OptKind::kAttrClear, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OptKind::kAttrSet, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OptKind::kAttrClear, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", OptKind::kAttrAtime, MOUNT_ATTR_NOATIME},
    {"rstrictatime", OptKind::kAttrAtime, MOUNT_ATTR_STRICTATIME},
    {"rrelatime", OptKind::kAttrAtime, MOUNT_ATTR_RELATIME},
    // Without noatime/strictatime the kernel's atime mode is relatime, so every "undo" of an
    // atime mode lands there.
    {"ratime", OptKind::kAttrAtime, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OptKind::kAttrAtime, MOUNT_ATTR_RELATIME},
    {"rnostrictatime", OptKind::kAttrAtime, MOUNT_ATTR_RELATIME},
    {"idmap", OptKind::kIdmap, 0},
    {"ridmap", OptKind::kRidmap, 0},
    // runc's extension, never passed to the kernel (tmpfs would refuse it with EINVAL).
    {"tmpcopyup", OptKind::kTmpcopyup, 0},
};

// The table by name length, so that a lookup compares a handful of names.
struct MountOptionIndex {
  static constexpr size_t kMaxLength = 16;
  std::array<std::vector<const MountOptionEntry*>, kMaxLength> by_length;
  MountOptionIndex() {
    for (const auto& e : kMountOptionTable) by_length.at(e.name.size()).push_back(&e);
  }
};

// A whole option is one name of the table. Every mount of every config goes through here (twice in
// Compile), and a Spirit symbol table with its exception guard cost ten times as much per option.
bool LookUpMountOption(std::string_view option, OptEffect& out) {
  static const MountOptionIndex index;
  if (option.size() >= MountOptionIndex::kMaxLength) return false;
  for (const MountOptionEntry* e : index.by_length[option.size()]) {
    if (e->name == option) {
      out = OptEffect{e->kind, e->value};
      return true;
    }
  }
  return false;
}

// ---- signals ---------------------------------------------------------------------------------------

struct SignalEntry {
  std::string_view name;  // without "SIG"
  int number;
};

// Canonical names first: SignalName() returns the first entry for a number.
constexpr SignalEntry kSignalTable[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD},     {"CONT", SIGCONT},     {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},       {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},     {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"PWR", SIGPWR},       {"SYS", SIGSYS},
    // Aliases.
    {"IOT", SIGIOT},       {"CLD", SIGCHLD},      {"POLL", SIGPOLL},
};

struct SignalSymbols : x3::symbols<int> {
  SignalSymbols() {
    for (const auto& e : kSignalTable) add(std::string(e.name), e.number);
  }
};

const SignalSymbols& SignalParser() {
  static const SignalSymbols symbols;
  return symbols;
}

// SIGRTMIN is a glibc function (it reserves the first real-time signals for itself), so these are
// read at run time: 34 and 64 on Linux with glibc, the numbers kill(1) uses.
int RtMin() { return SIGRTMIN; }
int RtMax() { return SIGRTMAX; }

// NR_CPUS is at most 8192 on any Linux configuration; bounds the vector a hostile range can build.
constexpr unsigned kMaxCpu = 8191;

}  // namespace

// ---- mount options ---------------------------------------------------------------------------------

std::string MountOptions::Data() const {
  std::string out;
  for (const auto& d : data) {
    if (!out.empty()) out += ',';
    out += d;
  }
  return out;
}

bool ParseMountOptions(const std::vector<std::string>& options, MountOptions& out, std::string& error) {
  out = MountOptions{};
  std::string propagation_name;
  for (const auto& option : options) {
    if (option.empty()) {
      error = "empty mount option";
      return false;
    }
    OptEffect effect;
    if (!LookUpMountOption(option, effect)) {
      // mount(8) hands every option it does not know to the filesystem ("mode=755", "size=64m").
      out.data.push_back(option);
      continue;
    }
    switch (effect.kind) {
      case OptKind::kSet:
        out.flags |= effect.value;
        out.clear &= ~effect.value;
        break;
      case OptKind::kClear:
        out.flags &= ~effect.value;
        out.clear |= effect.value;
        break;
      case OptKind::kPropagation:
        // runc applies a list of propagation changes one after the other; the kernel only keeps the
        // last, so two different ones are almost certainly a mistake in the config.
        if (out.propagation != 0 && out.propagation != effect.value) {
          error = "conflicting propagation options " + Quote(propagation_name) + " and " + Quote(option);
          return false;
        }
        out.propagation = effect.value;
        propagation_name = option;
        break;
      case OptKind::kAttrSet:
        out.attr_set |= effect.value;
        out.attr_clear &= ~effect.value;
        break;
      case OptKind::kAttrClear:
        out.attr_clear |= effect.value;
        out.attr_set &= ~effect.value;
        break;
      case OptKind::kAttrAtime:
        // mount_setattr(2): an atime mode in attr_set is only accepted together with the whole
        // MOUNT_ATTR__ATIME mask in attr_clr, otherwise EINVAL.
        out.attr_set = (out.attr_set & ~static_cast<uint64_t>(MOUNT_ATTR__ATIME)) | effect.value;
        out.attr_clear |= MOUNT_ATTR__ATIME;
        break;
      case OptKind::kIdmap:
        out.idmap = true;
        break;
      case OptKind::kRidmap:
        out.ridmap = true;
        break;
      case OptKind::kTmpcopyup:
        out.tmpcopyup = true;
        break;
      case OptKind::kNoop:
        break;
    }
  }
  return true;
}

bool SplitOptionString(std::string_view s, std::vector<std::string>& out, std::string& error) {
  out.clear();
  if (s.empty()) return true;
  // Values may be double-quoted to carry commas (SELinux context="system_u:object_r:x:s0:c1,c2"),
  // as mount(8) allows.
  const auto quoted = x3::char_('"') >> *~x3::char_('"') >> x3::char_('"');
  const auto item = x3::raw[+(quoted | ~x3::char_(",\""))];
  std::vector<std::string> items;
  if (ParseAll(s, item % ',', items)) {
    out = std::move(items);
    return true;
  }
  if (std::count(s.begin(), s.end(), '"') % 2 != 0) {
    error = "unterminated quote in mount options " + Quote(s);
  } else {
    error = "empty option in mount options " + Quote(s);
  }
  return false;
}

// ---- sizes -----------------------------------------------------------------------------------------

bool ParseSize(std::string_view s, int64_t& out, std::string& error) {
  if (s == "-1") {
    out = -1;
    return true;
  }
  uint64_t number = 0;
  char unit = 0;
  const auto suffix = x3::no_case[x3::char_("kmgtKMGT")] >> -(x3::no_case[x3::lit("ib")] | x3::no_case[x3::lit("b")]);
  const auto bytes_suffix = x3::no_case[x3::lit('b')];
  auto set_number = [&](auto& ctx) { number = x3::_attr(ctx); };
  auto set_unit = [&](auto& ctx) { unit = x3::_attr(ctx); };
  const auto grammar = x3::ulong_long[set_number] >> -(suffix[set_unit] | bytes_suffix);
  if (!ParseAll(s, grammar)) {
    error = "invalid size " + Quote(s);
    return false;
  }
  int shift = 0;
  switch (unit) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (number > (kMax >> shift)) {
    error = "size " + Quote(s) + " is too large";
    return false;
  }
  out = static_cast<int64_t>(number << shift);
  return true;
}

// ---- signals ---------------------------------------------------------------------------------------

bool ParseSignal(std::string_view s, int& out, std::string& error) {
  const int rt_min = RtMin();
  const int rt_max = RtMax();
  auto unknown = [&] {
    error = "unknown signal " + Quote(s);
    return false;
  };

  unsigned number = 0;
  if (ParseAll(s, x3::uint_, number)) {
    if (number < 1 || number > static_cast<unsigned>(rt_max)) return unknown();
    out = static_cast<int>(number);
    return true;
  }

  // runc upper-cases the name before looking it up, so "kill" and "sigterm" work there too.
  std::string upper(s);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  int named = 0;
  std::optional<int> rt_offset;  // RTMIN+n (positive) or RTMAX-n (negative)
  bool is_rt_min = false;
  auto on_named = [&](auto& ctx) { named = x3::_attr(ctx); };
  auto on_rtmin = [&](auto&) { is_rt_min = true; rt_offset = 0; };
  auto on_rtmax = [&](auto&) { is_rt_min = false; rt_offset = 0; };
  auto on_plus = [&](auto& ctx) { rt_offset = static_cast<int>(x3::_attr(ctx)); };
  auto on_minus = [&](auto& ctx) { rt_offset = -static_cast<int>(x3::_attr(ctx)); };
  const auto small_uint = x3::uint_parser<unsigned, 10, 1, 2>();
  const auto rt = (x3::lit("RTMIN")[on_rtmin] >> -('+' >> small_uint[on_plus])) |
                  (x3::lit("RTMAX")[on_rtmax] >> -('-' >> small_uint[on_minus]));
  const auto grammar = -x3::lit("SIG") >> (rt | SignalParser()[on_named]);
  if (!ParseAll(upper, grammar)) return unknown();

  if (rt_offset) {
    const int n = (is_rt_min ? rt_min : rt_max) + *rt_offset;
    if ((is_rt_min && *rt_offset < 0) || (!is_rt_min && *rt_offset > 0) || n < rt_min || n > rt_max) {
      return unknown();
    }
    out = n;
    return true;
  }
  out = named;
  return true;
}

std::string SignalName(int sig) {
  for (const auto& e : kSignalTable) {
    if (e.number == sig) return std::string(e.name);
  }
  const int rt_min = RtMin();
  const int rt_max = RtMax();
  if (sig < rt_min || sig > rt_max) return "";
  // The same split kill -l uses: RTMIN..RTMIN+15, RTMAX-14..RTMAX.
  const int from_min = sig - rt_min;
  const int from_max = rt_max - sig;
  if (from_min <= (rt_max - rt_min) / 2) {
    return from_min == 0 ? "RTMIN" : "RTMIN+" + std::to_string(from_min);
  }
  return from_max == 0 ? "RTMAX" : "RTMAX-" + std::to_string(from_max);
}

// ---- cpu lists -------------------------------------------------------------------------------------

bool ParseCpuList(std::string_view s, std::vector<unsigned>& out, std::string& error) {
  out.clear();
  if (s.empty()) return true;
  std::vector<std::pair<unsigned, std::optional<unsigned>>> ranges;
  auto on_first = [&](auto& ctx) { ranges.emplace_back(x3::_attr(ctx), std::nullopt); };
  auto on_last = [&](auto& ctx) { ranges.back().second = x3::_attr(ctx); };
  const auto range = x3::uint_[on_first] >> -('-' >> x3::uint_[on_last]);
  if (!ParseAll(s, range % ',')) {
    error = "invalid cpu list " + Quote(s);
    return false;
  }
  std::vector<unsigned> cpus;
  for (const auto& [first, last_opt] : ranges) {
    const unsigned last = last_opt.value_or(first);
    const std::string text =
        last_opt ? std::to_string(first) + "-" + std::to_string(last) : std::to_string(first);
    if (first > last) {
      error = "invalid cpu range " + Quote(text) + " in " + Quote(s);
      return false;
    }
    if (last > kMaxCpu) {
      error = "cpu " + std::to_string(last) + " out of range in " + Quote(s);
      return false;
    }
    for (unsigned c = first; c <= last; ++c) cpus.push_back(c);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  out = std::move(cpus);
  return true;
}

// ---- device access ---------------------------------------------------------------------------------

bool ParseDeviceAccess(std::string_view s, unsigned& out, std::string& error) {
  unsigned bits = 0;
  bool duplicate = false;
  // runc's device emulator keeps only the r, w and m of an access (Permissions.toSet), so an
  // `a` ("rwa" for "all", update.bats writes one) is accepted there and means nothing. It is
  // accepted here too, once, beside at least one real letter; anything else stays an error.
  bool saw_a = false;
  auto add = [&](auto& ctx) {
    const char c = x3::_attr(ctx);
    if (c == 'a') {
      if (saw_a) duplicate = true;
      saw_a = true;
      return;
    }
    const unsigned bit = c == 'r' ? 1u : c == 'w' ? 2u : 4u;
    if (bits & bit) duplicate = true;
    bits |= bit;
  };
  if (!ParseAll(s, +x3::char_("rwma")[add]) || duplicate || bits == 0) {
    error = "invalid device access " + Quote(s);
    return false;
  }
  out = bits;
  return true;
}

std::vector<std::string_view> MountOptionNames() {
  std::vector<std::string_view> out;
  for (const auto& e : kMountOptionTable) out.push_back(e.name);
  return out;
}

}  // namespace runc
