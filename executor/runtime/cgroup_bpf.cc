#include "executor/runtime/cgroup_bpf.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "executor/common/log.h"

namespace runc {
namespace {

constexpr uint32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

// Registers as the kernel's verifier sees them: R1 holds the context on entry, R0 the verdict.
enum Reg : uint8_t { kR0 = 0, kR1 = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5 };

constexpr bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

// dst = *(u32 *)(src + off), zero-extended.
constexpr bpf_insn LoadWord(uint8_t dst, uint8_t src, int16_t off) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
// 32-bit ALU on an immediate (the upper half of dst is zeroed).
constexpr bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn Mov32Reg(uint8_t dst, uint8_t src) { return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
// if ((u32)dst OP (u32)imm) goto pc + 1 + off. JMP32 compares the low halves, so a 32-bit device
// number above INT32_MAX is compared as itself, not as a sign-extended immediate.
constexpr bpf_insn Jump32Imm(uint8_t op, uint8_t dst, uint32_t imm, int16_t off) {
  return Insn(BPF_JMP32 | op | BPF_K, dst, 0, off, static_cast<int32_t>(imm));
}
constexpr bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// The instructions of one rule: each test jumps past the block when the rule does not apply.
void AppendRule(std::vector<bpf_insn>& out, const DeviceFilterRule& r, bool allow) {
  struct Test {
    uint8_t op, reg;
    uint32_t imm;
    bool and_first;  // R1 = access & mask first
    uint32_t mask;
  };
  std::vector<Test> tests;
  tests.push_back({BPF_JNE, kType, r.type, false, 0});
  const uint32_t access = r.access & kAllAccess;
  if (access != kAllAccess) {
    if (allow) {
      // Applies when every bit asked for is granted: (asked & ~access) == 0.
      tests.push_back({BPF_JNE, kR1, 0, true, kAllAccess & ~access});
    } else {
      // Applies when any bit asked for is denied: (asked & access) != 0.
      tests.push_back({BPF_JEQ, kR1, 0, true, access});
    }
  }
  if (r.major >= 0) tests.push_back({BPF_JNE, kMajor, static_cast<uint32_t>(r.major), false, 0});
  if (r.minor >= 0) tests.push_back({BPF_JNE, kMinor, static_cast<uint32_t>(r.minor), false, 0});

  size_t length = 2;  // verdict + exit
  for (const auto& t : tests) length += t.and_first ? 3 : 1;
  size_t at = 0;  // position inside the block
  for (const auto& t : tests) {
    if (t.and_first) {
      out.push_back(Mov32Reg(kR1, kAccess));
      out.push_back(Alu32Imm(BPF_AND, kR1, static_cast<int32_t>(t.mask)));
      at += 2;
    }
    ++at;
    out.push_back(Jump32Imm(t.op, t.reg, t.imm, static_cast<int16_t>(length - at)));
  }
  out.push_back(Alu32Imm(BPF_MOV, kR0, allow ? 1 : 0));
  out.push_back(Exit());
}

long Bpf(int cmd, bpf_attr& attr) { return syscall(SYS_bpf, cmd, &attr, sizeof attr); }

uint64_t Ptr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

// The verifier log made one line, its tail when long (the reason is at the end).
std::string OneLine(const std::string& log) {
  std::string out;
  for (char c : log) {
    if (c == '\0') break;
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += "; ";
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  constexpr size_t kMax = 400;
  if (out.size() > kMax) out = "..." + out.substr(out.size() - kMax);
  return out;
}

}  // namespace

int LoadDeviceFilter(const std::vector<bpf_insn>& program, const std::string& dir, int& fd, std::string& what) {
  static const char kLicense[] = "Apache-2.0";
  auto load = [&](char* log, uint32_t log_size) {
    bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = Ptr(program.data());
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.license = Ptr(kLicense);
    if (log != nullptr) {
      attr.log_level = 1;
      attr.log_buf = Ptr(log);
      attr.log_size = log_size;
    }
    static const char kName[] = "runc_devices";
    static_assert(sizeof kName <= sizeof attr.prog_name);
    memcpy(attr.prog_name, kName, sizeof kName);
    long r;
    // The kernel answers EAGAIN when it could not get the memory right now (libbpf retries too).
    for (int tries = 0; (r = Bpf(BPF_PROG_LOAD, attr)) < 0 && errno == EAGAIN && tries < 5; ++tries) {
    }
    return static_cast<int>(r);
  };
  fd = load(nullptr, 0);
  if (fd >= 0) return 0;
  const int err = errno;
  // Again with the verifier's log, which says why.
  std::string log(64 * 1024, '\0');
  fd = load(log.data(), static_cast<uint32_t>(log.size()));
  if (fd >= 0) return 0;
  what = "bpf BPF_PROG_LOAD device filter for " + dir;
  const std::string reason = OneLine(log);
  if (!reason.empty()) what += " (verifier: " + reason + ")";
  return err;
}

namespace {

int ProgramId(int prog_fd, uint32_t& id) {
  bpf_prog_info info;
  memset(&info, 0, sizeof info);
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.info.bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.info.info_len = sizeof info;
  attr.info.info = Ptr(&info);
  if (Bpf(BPF_OBJ_GET_INFO_BY_FD, attr) != 0) return errno;
  id = info.id;
  return 0;
}

int QueryIds(int cgroup_fd, std::vector<uint32_t>& ids) {
  ids.assign(16, 0);
  while (true) {
    bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = Ptr(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (Bpf(BPF_PROG_QUERY, attr) == 0) {
      ids.resize(attr.query.prog_cnt);
      return 0;
    }
    if (errno != ENOSPC || attr.query.prog_cnt <= ids.size()) {
      ids.clear();
      return errno;
    }
    ids.assign(attr.query.prog_cnt, 0);
  }
}

}  // namespace

bool DeviceFilterFromStep(const Step& step, DeviceFilter& out, std::string& error) {
  const auto& n = step.nums;
  if (n.empty() || (n.size() - 1) % 4 != 0) {
    error = "device rules: " + std::to_string(n.size()) + " numbers, want 1 + 4 per rule";
    return false;
  }
  if (n[0] != 0 && n[0] != 1) {
    error = "device rules: default " + std::to_string(n[0]) + ", want 0 (deny) or 1 (allow)";
    return false;
  }
  DeviceFilter f;
  f.default_allow = n[0] == 1;
  for (size_t i = 1; i < n.size(); i += 4) {
    const std::string which = "device rule " + std::to_string((i - 1) / 4);
    DeviceFilterRule r;
    if (n[i] != BPF_DEVCG_DEV_CHAR && n[i] != BPF_DEVCG_DEV_BLOCK) {
      error = which + ": type " + std::to_string(n[i]) + " is neither char nor block";
      return false;
    }
    r.type = static_cast<uint32_t>(n[i]);
    for (int k = 1; k <= 2; ++k) {
      const int64_t v = n[i + k];
      if (v < -1 || v > int64_t{UINT32_MAX}) {
        error = which + ": " + (k == 1 ? "major " : "minor ") + std::to_string(v) + " out of range";
        return false;
      }
    }
    r.major = n[i + 1];
    r.minor = n[i + 2];
    if (n[i + 3] <= 0 || (n[i + 3] & ~int64_t{kAllAccess}) != 0) {
      error = which + ": access bits " + std::to_string(n[i + 3]) + " not a non-empty subset of rwm";
      return false;
    }
    r.access = static_cast<uint32_t>(n[i + 3]);
    f.rules.push_back(r);
  }
  out = std::move(f);
  return true;
}

std::vector<bpf_insn> DeviceFilterProgram(const DeviceFilter& filter) {
  std::vector<bpf_insn> out;
  // struct bpf_cgroup_dev_ctx: access_type = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*.
  out.push_back(LoadWord(kType, kR1, offsetof(bpf_cgroup_dev_ctx, access_type)));
  out.push_back(Alu32Imm(BPF_AND, kType, 0xffff));
  out.push_back(LoadWord(kAccess, kR1, offsetof(bpf_cgroup_dev_ctx, access_type)));
  out.push_back(Alu32Imm(BPF_RSH, kAccess, 16));
  out.push_back(LoadWord(kMajor, kR1, offsetof(bpf_cgroup_dev_ctx, major)));
  out.push_back(LoadWord(kMinor, kR1, offsetof(bpf_cgroup_dev_ctx, minor)));
  for (const auto& r : filter.rules) AppendRule(out, r, !filter.default_allow);
  out.push_back(Alu32Imm(BPF_MOV, kR0, filter.default_allow ? 1 : 0));
  out.push_back(Exit());
  return out;
}

int QueryDeviceFilters(const std::string& dir, std::vector<uint32_t>& ids) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = QueryIds(fd, ids);
  close(fd);
  return err;
}

int AttachDeviceFilter(const std::vector<bpf_insn>& program, const std::string& dir, uint32_t& prog_id,
                       std::string& what) {
  int cgroup_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0) {
    what = "open " + dir;
    return errno;
  }
  int prog_fd = -1;
  auto finish = [&](int err) {
    if (prog_fd >= 0) close(prog_fd);
    close(cgroup_fd);
    return err;
  };
  std::vector<uint32_t> before;
  if (int err = QueryIds(cgroup_fd, before)) {
    what = "bpf BPF_PROG_QUERY " + dir;
    return finish(err);
  }
  if (int err = LoadDeviceFilter(program, dir, prog_fd, what)) return finish(err);
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attr) != 0) {
    what = "bpf BPF_PROG_ATTACH device filter to " + dir;
    return finish(errno);
  }
  prog_id = 0;
  if (int err = ProgramId(prog_fd, prog_id)) {
    what = "bpf BPF_OBJ_GET_INFO_BY_FD device filter of " + dir;
    return finish(err);
  }
  // With BPF_F_ALLOW_MULTI every attached program must allow: the older ones would narrow ours.
  for (uint32_t id : before) {
    memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    long old_fd = Bpf(BPF_PROG_GET_FD_BY_ID, attr);
    if (old_fd < 0) {
      if (errno == ENOENT) continue;  // detached meanwhile
      what = "bpf BPF_PROG_GET_FD_BY_ID " + std::to_string(id);
      return finish(errno);
    }
    memset(&attr, 0, sizeof attr);
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(old_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    const long r = Bpf(BPF_PROG_DETACH, attr);
    const int err = errno;
    close(static_cast<int>(old_fd));
    if (r != 0 && err != ENOENT) {
      what = "bpf BPF_PROG_DETACH program " + std::to_string(id) + " from " + dir;
      return finish(err);
    }
  }
  return finish(0);
}

int RunCgroupDevices(const Step& step, std::string& what) {
  DeviceFilter filter;
  std::string error;
  if (!DeviceFilterFromStep(step, filter, error)) {
    what = error;
    return EINVAL;
  }
  uint32_t id = 0;
  if (int err = AttachDeviceFilter(DeviceFilterProgram(filter), step.path, id, what)) return err;
  LogInfo("cgroup.device: program " + std::to_string(id) + " (" + std::to_string(filter.rules.size()) +
          " rules, default " + (filter.default_allow ? "allow" : "deny") + ") attached to " + step.path);
  return 0;
}

}  // namespace runc
