#include "executor/common/seccomp.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstddef>
#include <set>
#include <string_view>

#include "compiler/compile.h"

namespace runc {
namespace {

struct FlagName {
  std::string_view name;
  unsigned int value;
};

// The kernel's flag values, spelled out so that an older uapi header does not make a known flag
// unknown.
constexpr FlagName kFilterFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 1U << 0},
    {"SECCOMP_FILTER_FLAG_LOG", 1U << 1},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1U << 2},
    {"SECCOMP_FILTER_FLAG_NEW_LISTENER", 1U << 3},
    {"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 1U << 4},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5},
};
constexpr unsigned int kFlagNewListener = 1U << 3;

struct OpName {
  std::string_view name;
  scmp_compare op;
};

constexpr OpName kOps[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

// A syscall argument index beyond the six registers cannot be compared.
constexpr uint32_t kMaxSyscallArgs = 6;

class FilterCtx {
 public:
  explicit FilterCtx(uint32_t default_action) : ctx_(seccomp_init(default_action)) {}
  ~FilterCtx() {
    if (ctx_) seccomp_release(ctx_);
  }
  FilterCtx(const FilterCtx&) = delete;
  FilterCtx& operator=(const FilterCtx&) = delete;
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

bool ArchToken(const std::string& name, uint32_t& out) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name == "SCMP_ARCH_NATIVE") {
    out = seccomp_arch_native();
    return true;
  }
  if (name.rfind(kPrefix, 0) != 0) return false;
  std::string token = name.substr(kPrefix.size());
  for (char& c : token) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t arch = seccomp_arch_resolve_name(token.c_str());
  if (arch == 0) return false;
  out = arch;
  return true;
}

Diagnostic Error(std::string pointer, std::string message) {
  Diagnostic d;
  d.pointer = std::move(pointer);
  d.message = std::move(message);
  return d;
}

// Pulls the BPF out of libseccomp without touching the disk: libseccomp 2.5 can only export to an
// fd, so a memfd stands in for memory.
bool ExportBpf(scmp_filter_ctx ctx, std::vector<sock_filter>& out, std::string& message) {
  int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) {
    message = std::string("memfd_create: ") + strerror(errno);
    return false;
  }
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) {
    close(fd);
    message = std::string("seccomp_export_bpf: ") + strerror(-rc);
    return false;
  }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0) {
    close(fd);
    message = "seccomp_export_bpf: bad program size";
    return false;
  }
  out.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(out.data());
  while (done < static_cast<size_t>(size)) {
    ssize_t n = pread(fd, bytes + done, static_cast<size_t>(size) - done, static_cast<off_t>(done));
    if (n <= 0) {
      close(fd);
      message = std::string("read seccomp program: ") + (n < 0 ? strerror(errno) : "short read");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return true;
}

// ---- -ENOSYS for syscalls newer than the profile -------------------------------------------------
//
// A profile names the syscalls it knows; a libc newer than the profile tries newer syscalls
// (clone3, close_range, openat2, faccessat2, fchmodat2) and falls back to the older call only on
// ENOSYS. Under a default of EPERM (or a kill) it would fail instead: the glibc 2.34 clone3 break
// of Docker's old profiles. Like runc (libcontainer/seccomp/patchbpf), a syscall whose number is
// above the highest one the profile names for its architecture gets ENOSYS, from a short BPF
// check put in front of libseccomp's program (so it also covers syscalls libseccomp has no name
// for). Numbers are not in kernel-version order (close_range 436 came after clone3 435 in one
// release, faccessat2 439 after openat2 437...): a profile that names one of these but not an
// older one would leave the older one at the default action, so each of kFallbackSyscalls the
// profile does not name gets an explicit ENOSYS rule too. Named syscalls keep their action.

// Newer syscalls that libcs and runtimes call first and replace with an older call on ENOSYS.
constexpr const char* kFallbackSyscalls[] = {"clone3", "close_range", "openat2", "faccessat2",
                                             "fchmodat2"};

constexpr uint32_t kX32SyscallBit = 0x40000000;

// A forward-only BPF program with labels, resolved at the end (conditional jumps reach 255
// instructions, far more than the stub has).
class BpfStub {
 public:
  int Label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size() - 1);
  }
  void Bind(int label) { labels_[static_cast<size_t>(label)] = static_cast<int>(code_.size()); }
  void Load(uint32_t offset) { Add(BPF_LD | BPF_W | BPF_ABS, offset, kNext, kNext); }
  void Ret(uint32_t value) { Add(BPF_RET | BPF_K, value, kNext, kNext); }
  void Goto(int label) { Add(BPF_JMP | BPF_JA, 0, label, kNext); }
  // if (A op k) goto jt; else goto jf (kNext: the next instruction)
  void Jump(uint16_t op, uint32_t k, int jt, int jf) { Add(BPF_JMP | op | BPF_K, k, jt, jf); }
  bool Finish(std::vector<sock_filter>& out) const {
    out.clear();
    for (size_t pc = 0; pc < code_.size(); ++pc) {
      const Insn& in = code_[pc];
      sock_filter f = {in.code, 0, 0, in.k};
      auto offset = [&](int label, uint32_t& off) {
        if (label == kNext) return (off = 0, true);
        const int at = labels_[static_cast<size_t>(label)];
        if (at <= static_cast<int>(pc)) return false;
        off = static_cast<uint32_t>(at) - static_cast<uint32_t>(pc) - 1;
        return true;
      };
      uint32_t jt = 0, jf = 0;
      if (!offset(in.jt, jt) || !offset(in.jf, jf)) return false;
      if (in.code == (BPF_JMP | BPF_JA)) {
        f.k = jt;
      } else {
        if (jt > 255 || jf > 255) return false;
        f.jt = static_cast<uint8_t>(jt);
        f.jf = static_cast<uint8_t>(jf);
      }
      out.push_back(f);
    }
    return true;
  }

  static constexpr int kNext = -1;

 private:
  struct Insn {
    uint16_t code;
    uint32_t k;
    int jt, jf;
  };
  void Add(uint16_t code, uint32_t k, int jt, int jf) { code_.push_back({code, k, jt, jf}); }
  std::vector<Insn> code_;
  std::vector<int> labels_;
};

// The highest syscall number the profile names on `arch` (libseccomp's numbering: x32's carry
// the x32 bit), or -1 when it names none there.
int64_t HighestNamed(const Seccomp& config, uint32_t arch) {
  int64_t highest = -1;
  for (const auto& rule : config.syscalls) {
    for (const auto& name : rule.names) {
      // Negative numbers are libseccomp's pseudo-syscalls (e.g. x86's socket via socketcall).
      int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
      if (nr >= 0 && nr > highest) highest = nr;
    }
  }
  return highest;
}

// The ENOSYS check for the filter's architectures (libseccomp's SCMP_ARCH_* values, which are the
// kernel's AUDIT_ARCH_* ones except x32: an x86_64 arch with the x32 bit in the syscall number).
bool EnosysStub(const Seccomp& config, const std::vector<uint32_t>& arches,
                std::vector<sock_filter>& out) {
  struct Section {
    uint32_t audit_arch;
    int64_t highest = -1, highest_x32 = -1;  // x86_64 only: both ABIs share the audit arch
  };
  std::vector<Section> sections;
  for (uint32_t arch : arches) {
    const bool x32 = arch == SCMP_ARCH_X32;
    const uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : arch;
    const int64_t highest = HighestNamed(config, arch);
    if (highest < 0) continue;  // names nothing there: that architecture keeps the profile as is
    auto it = std::find_if(sections.begin(), sections.end(),
                           [&](const Section& s) { return s.audit_arch == audit; });
    if (it == sections.end()) it = sections.insert(sections.end(), Section{audit});
    (x32 ? it->highest_x32 : it->highest) = highest;
  }
  out.clear();
  if (sections.empty()) return true;

  BpfStub bpf;
  const int enosys = bpf.Label(), filter = bpf.Label();
  std::vector<int> starts;
  bpf.Load(offsetof(seccomp_data, arch));
  for (const auto& s : sections) {
    starts.push_back(bpf.Label());
    bpf.Jump(BPF_JEQ, s.audit_arch, starts.back(), BpfStub::kNext);
  }
  bpf.Goto(filter);  // another architecture: libseccomp's program decides
  for (size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    bpf.Bind(starts[i]);
    bpf.Load(offsetof(seccomp_data, nr));
    if (s.audit_arch == AUDIT_ARCH_S390 || s.audit_arch == AUDIT_ARCH_S390X) {
      // s390 passes a syscall number it does not know as 0 (the old setup(2), used by nothing
      // since): that is a newer syscall too.
      bpf.Jump(BPF_JEQ, 0, enosys, BpfStub::kNext);
    }
    if (s.audit_arch == AUDIT_ARCH_X86_64) {
      const int x32 = bpf.Label();
      // The ABI the profile does not cover is left to libseccomp's program (its bad-arch action).
      bpf.Jump(BPF_JSET, kX32SyscallBit, s.highest_x32 >= 0 ? x32 : filter,
               s.highest >= 0 ? BpfStub::kNext : filter);
      if (s.highest >= 0) bpf.Jump(BPF_JGT, static_cast<uint32_t>(s.highest), enosys, filter);
      bpf.Bind(x32);
      if (s.highest_x32 >= 0) bpf.Jump(BPF_JGT, static_cast<uint32_t>(s.highest_x32), enosys, filter);
    } else {
      bpf.Jump(BPF_JGT, static_cast<uint32_t>(s.highest), enosys, filter);
    }
  }
  bpf.Bind(enosys);
  bpf.Ret(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
  bpf.Bind(filter);
  return bpf.Finish(out);
}

}  // namespace

PreparedSeccomp::~PreparedSeccomp() {
  if (listener_fd >= 0) close(listener_fd);
}

bool SeccompAction(const std::string& name, std::optional<uint32_t> errno_ret, uint32_t& out) {
  uint32_t err = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") {
    out = SCMP_ACT_KILL_THREAD;
  } else if (name == "SCMP_ACT_KILL_PROCESS") {
    out = SCMP_ACT_KILL_PROCESS;
  } else if (name == "SCMP_ACT_TRAP") {
    out = SCMP_ACT_TRAP;
  } else if (name == "SCMP_ACT_ERRNO") {
    out = SCMP_ACT_ERRNO(err);
  } else if (name == "SCMP_ACT_TRACE") {
    out = SCMP_ACT_TRACE(err);
  } else if (name == "SCMP_ACT_ALLOW") {
    out = SCMP_ACT_ALLOW;
  } else if (name == "SCMP_ACT_LOG") {
    out = SCMP_ACT_LOG;
  } else if (name == "SCMP_ACT_NOTIFY") {
    out = SCMP_ACT_NOTIFY;
  } else {
    return false;
  }
  return true;
}

bool SeccompFlag(const std::string& name, unsigned int& out) {
  for (const auto& f : kFilterFlags) {
    if (f.name == name) {
      out = f.value;
      return true;
    }
  }
  return false;
}

bool BuildSeccomp(const Seccomp& config, PreparedSeccomp& out, Diagnostic& error) {
  uint32_t default_action = 0;
  if (!SeccompAction(config.default_action, config.default_errno_ret, default_action)) {
    error =
        Error("/linux/seccomp/defaultAction", "unknown seccomp action " + config.default_action);
    return false;
  }
  // A default of NOTIFY would route every syscall, including the ones the init makes to report the
  // listener, to a supervisor that has not got the fd yet; the kernel refuses it too.
  if (default_action == SCMP_ACT_NOTIFY) {
    error = Error("/linux/seccomp/defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
    return false;
  }
  FilterCtx filter(default_action);
  if (!filter.get()) {
    error = Error("/linux/seccomp", "seccomp_init failed");
    return false;
  }
  // We load the program ourselves with seccomp(2); no_new_privs is the kNoNewPrivs step's business.
  seccomp_attr_set(filter.get(), SCMP_FLTATR_CTL_NNP, 0);

  // The filter's architectures: libseccomp's context starts with the native one.
  std::vector<uint32_t> arches = {seccomp_arch_native()};
  for (size_t i = 0; i < config.architectures.size(); ++i) {
    const std::string& name = config.architectures[i];
    uint32_t arch = 0;
    std::string pointer = "/linux/seccomp/architectures/" + std::to_string(i);
    if (!ArchToken(name, arch)) {
      error = Error(pointer, "unknown seccomp architecture " + name);
      return false;
    }
    int rc = seccomp_arch_add(filter.get(), arch);
    if (rc < 0 && rc != -EEXIST) {
      error = Error(pointer, "seccomp_arch_add " + name + ": " + strerror(-rc));
      return false;
    }
    if (std::find(arches.begin(), arches.end(), arch) == arches.end()) arches.push_back(arch);
  }

  out.flags = 0;
  for (size_t i = 0; i < config.flags.size(); ++i) {
    unsigned int flag = 0;
    if (!SeccompFlag(config.flags[i], flag)) {
      error = Error("/linux/seccomp/flags/" + std::to_string(i),
                    "unknown seccomp flag " + config.flags[i]);
      return false;
    }
    out.flags |= flag;
  }

  out.rules = 0;
  out.notify = false;
  out.skipped_syscalls.clear();
  for (size_t i = 0; i < config.syscalls.size(); ++i) {
    const SeccompSyscall& sc = config.syscalls[i];
    std::string pointer =
        sc.origin.empty() ? "/linux/seccomp/syscalls/" + std::to_string(i) : sc.origin;
    uint32_t action = 0;
    if (!SeccompAction(sc.action, sc.errno_ret, action)) {
      error = Error(pointer + "/action", "unknown seccomp action " + sc.action);
      return false;
    }
    if (action == SCMP_ACT_NOTIFY) out.notify = true;

    std::vector<scmp_arg_cmp> conds;
    uint32_t per_index[kMaxSyscallArgs] = {};
    for (size_t a = 0; a < sc.args.size(); ++a) {
      const SeccompArg& arg = sc.args[a];
      std::string arg_pointer = pointer + "/args/" + std::to_string(a);
      if (arg.index >= kMaxSyscallArgs) {
        error =
            Error(arg_pointer + "/index",
                  "seccomp argument index " + std::to_string(arg.index) + " out of range (0-5)");
        return false;
      }
      const OpName* op = nullptr;
      for (const auto& o : kOps) {
        if (o.name == arg.op) op = &o;
      }
      if (!op) {
        error = Error(arg_pointer + "/op", "unknown seccomp operator " + arg.op);
        return false;
      }
      // For SCMP_CMP_MASKED_EQ libseccomp takes (mask, datum): the spec's value is the mask and
      // valueTwo the value compared after masking, as runc passes them.
      conds.push_back(scmp_arg_cmp{arg.index, op->op, arg.value, arg.value_two});
      ++per_index[arg.index];
    }
    bool same_index_twice = false;
    for (uint32_t n : per_index) same_index_twice |= n > 1;

    // A rule equal to the default action changes nothing, and libseccomp refuses it.
    if (action == default_action) continue;

    for (const std::string& name : sc.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        // runc ignores syscalls unknown to this architecture/libseccomp: profiles list syscalls of
        // every architecture and of newer kernels.
        out.skipped_syscalls.push_back(name);
        continue;
      }
      auto add = [&](const scmp_arg_cmp* c, unsigned int n) {
        int rc = seccomp_rule_add_array(filter.get(), action, nr, n, c);
        if (rc < 0) {
          error = Error(pointer, "seccomp_rule_add " + name + ": " + strerror(-rc));
          return false;
        }
        ++out.rules;
        return true;
      };
      if (conds.empty() || !same_index_twice) {
        if (!add(conds.data(), static_cast<unsigned int>(conds.size()))) return false;
      } else {
        // Several comparisons on one argument cannot be ANDed in one libseccomp rule; like runc,
        // each becomes its own rule (so they are ORed).
        for (const auto& c : conds) {
          if (!add(&c, 1)) return false;
        }
      }
    }
  }
  if (out.notify) out.flags |= kFlagNewListener;

  out.enosys_syscalls.clear();
  std::vector<sock_filter> stub;
  const bool enosys = SeccompEnosysForNewerSyscalls(config);
  if (enosys) {
    std::set<std::string_view> named;
    for (const auto& sc : config.syscalls) named.insert(sc.names.begin(), sc.names.end());
    for (const char* name : kFallbackSyscalls) {
      if (named.count(name)) continue;
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ERRNO(ENOSYS), nr, 0);
      if (rc < 0) {
        error = Error("/linux/seccomp", std::string("seccomp_rule_add ") + name + ": " + strerror(-rc));
        return false;
      }
      out.enosys_syscalls.push_back(name);
    }
    if (!EnosysStub(config, arches, stub)) {
      error = Error("/linux/seccomp", "seccomp enosys stub: jump out of range");
      return false;
    }
  }

  std::string message;
  if (!ExportBpf(filter.get(), out.program, message)) {
    error = Error("/linux/seccomp", message);
    return false;
  }
  out.program.insert(out.program.begin(), stub.begin(), stub.end());
  return true;
}

int LoadSeccomp(const PreparedSeccomp& prepared, int host_pid, std::string& what) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(prepared.program.size());
  prog.filter = const_cast<sock_filter*>(prepared.program.data());
  if (prepared.program.size() > 0xffff) {
    what = "seccomp program too long";
    return E2BIG;
  }
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prepared.flags, &prog);
  if (rc < 0) {
    int err = errno;
    what = "seccomp SECCOMP_SET_MODE_FILTER";
    return err;
  }
  if (!(prepared.flags & kFlagNewListener)) return 0;

  int listener = static_cast<int>(rc);
  if (prepared.listener_fd < 0) {
    close(listener);
    what = "send seccomp listener (no listenerPath)";
    return EINVAL;
  }
  std::string payload = prepared.notify_state;
  char pid_text[16];
  snprintf(pid_text, sizeof pid_text, "%d", host_pid);
  for (size_t pos; (pos = payload.find("%PID%")) != std::string::npos;)
    payload.replace(pos, 5, pid_text);

  iovec iov{payload.data(), payload.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
  ssize_t sent;
  do {
    sent = sendmsg(prepared.listener_fd, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  int err = sent < 0 ? errno : 0;
  close(listener);
  if (err) {
    what = "sendmsg seccomp listener";
    return err;
  }
  return 0;
}

}  // namespace runc
