// The cgroup v2 device program: its instructions, what they decide (run by a small interpreter of
// the instructions it uses, against cgroup v1's rules for the same exception list), the kernel's
// verifier, and attaching it to a real cgroup2 directory (root).
#include "executor/runtime/cgroup_bpf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "executor/runtime/cgroup_host.h"
#include "tests/unit/compile_test_util.h"

namespace runc {
namespace {

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR;
constexpr uint32_t kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kM = BPF_DEVCG_ACC_MKNOD;
constexpr uint32_t kR = BPF_DEVCG_ACC_READ;
constexpr uint32_t kW = BPF_DEVCG_ACC_WRITE;
constexpr uint32_t kRwm = kR | kW | kM;

DeviceFilterRule Rule(uint32_t type, int64_t major, int64_t minor, uint32_t access) {
  DeviceFilterRule r;
  r.type = type;
  r.major = major;
  r.minor = minor;
  r.access = access;
  return r;
}

// One instruction in the kernel's own disassembly style (kernel/bpf/disasm.c), for the opcodes the
// generator may use; anything else reads "?".
std::string Disasm(const bpf_insn& i) {
  const std::string d = std::to_string(i.dst_reg), s = std::to_string(i.src_reg);
  char imm[24];
  std::snprintf(imm, sizeof imm, "%#x", static_cast<uint32_t>(i.imm));
  const std::string off = (i.off >= 0 ? "+" : "") + std::to_string(i.off);
  switch (i.code) {
    case BPF_LDX | BPF_MEM | BPF_W:
      return "r" + d + " = *(u32 *)(r" + s + " +" + std::to_string(i.off) + ")";
    case BPF_ALU | BPF_AND | BPF_K:
      return "w" + d + " &= " + imm;
    case BPF_ALU | BPF_RSH | BPF_K:
      return "w" + d + " >>= " + std::to_string(i.imm);
    case BPF_ALU | BPF_MOV | BPF_K:
      return "w" + d + " = " + std::to_string(i.imm);
    case BPF_ALU | BPF_MOV | BPF_X:
      return "w" + d + " = w" + s;
    case BPF_JMP32 | BPF_JNE | BPF_K:
      return "if w" + d + " != " + imm + " goto pc" + off;
    case BPF_JMP32 | BPF_JEQ | BPF_K:
      return "if w" + d + " == " + imm + " goto pc" + off;
    case BPF_JMP | BPF_EXIT:
      return "exit";
  }
  return "?";
}

std::vector<std::string> Listing(const std::vector<bpf_insn>& prog) {
  std::vector<std::string> out;
  for (const auto& i : prog) out.push_back(Disasm(i));
  return out;
}

// Runs `prog` on one request as the kernel would. Knows exactly the instructions above; fails the
// test on anything else, on a read through a register that is no longer the context, and on a jump
// out of the program.
int Interpret(const std::vector<bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  const uint32_t ctx[3] = {(access << 16) | type, major, minor};
  uint64_t reg[11] = {};
  bool r1_is_ctx = true;
  size_t pc = 0;
  for (int steps = 0; steps < 100000; ++steps) {
    if (pc >= prog.size()) {
      ADD_FAILURE() << "ran off the end at " << pc;
      return -1;
    }
    const bpf_insn& i = prog[pc++];
    const uint32_t imm = static_cast<uint32_t>(i.imm);
    if (i.dst_reg == 1 && i.code != (BPF_JMP32 | BPF_JNE | BPF_K) && i.code != (BPF_JMP32 | BPF_JEQ | BPF_K)) {
      r1_is_ctx = false;
    }
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        if (i.src_reg != 1 || !r1_is_ctx || i.off < 0 || i.off > 8 || i.off % 4 != 0) {
          ADD_FAILURE() << "bad load at " << pc - 1;
          return -1;
        }
        if (i.dst_reg == 1) r1_is_ctx = false;
        reg[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) & imm;
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_K:
        reg[i.dst_reg] = imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.src_reg]);
        break;
      case BPF_JMP32 | BPF_JNE | BPF_K:
        if (static_cast<uint32_t>(reg[i.dst_reg]) != imm) pc += i.off;
        break;
      case BPF_JMP32 | BPF_JEQ | BPF_K:
        if (static_cast<uint32_t>(reg[i.dst_reg]) == imm) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int{i.code} << " at " << pc - 1;
        return -1;
    }
  }
  ADD_FAILURE() << "no exit";
  return -1;
}

// cgroup v1's devices controller on the same exception list (security/device_cgroup.c):
// match_exception for an allow-list, match_exception_partial for a deny-list.
bool V1Allows(const DeviceFilter& f, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
  for (const auto& r : f.rules) {
    if (r.type != type) continue;
    if (r.major >= 0 && static_cast<uint32_t>(r.major) != major) continue;
    if (r.minor >= 0 && static_cast<uint32_t>(r.minor) != minor) continue;
    if (!f.default_allow && (access & ~r.access) == 0) return true;
    if (f.default_allow && (access & r.access) != 0) return false;
  }
  return f.default_allow;
}

// Every request over interesting numbers: the rules' own, neighbours, 0 and the u32 edges.
void ExpectSameAsV1(const DeviceFilter& f) {
  const std::vector<bpf_insn> prog = DeviceFilterProgram(f);
  std::vector<uint32_t> numbers = {0, 1, 2, 3, 5, 7, 8, 136, 4095, 0x7fffffff, 0x80000000, 0xffffffff};
  for (const auto& r : f.rules) {
    for (int64_t n : {r.major, r.minor}) {
      if (n >= 0) numbers.push_back(static_cast<uint32_t>(n));
    }
  }
  int checked = 0;
  for (uint32_t type : {kBlock, kChar}) {
    for (uint32_t access = 1; access <= kRwm; ++access) {
      for (uint32_t major : numbers) {
        for (uint32_t minor : numbers) {
          const int want = V1Allows(f, type, access, major, minor) ? 1 : 0;
          const int got = Interpret(prog, type, access, major, minor);
          ASSERT_EQ(got, want) << "type " << type << " access " << access << " " << major << ":" << minor;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(DeviceFilterProgramTest, InstructionsOfAnAllowList) {
  DeviceFilter f;
  f.rules = {Rule(kChar, 1, 3, kRwm), Rule(kBlock, 8, -1, kR), Rule(kChar, -1, -1, kM)};
  EXPECT_EQ(Listing(DeviceFilterProgram(f)),
            (std::vector<std::string>{
                // the request: type, access, major, minor
                "r2 = *(u32 *)(r1 +0)",
                "w2 &= 0xffff",
                "r3 = *(u32 *)(r1 +0)",
                "w3 >>= 16",
                "r4 = *(u32 *)(r1 +4)",
                "r5 = *(u32 *)(r1 +8)",
                // c 1:3 rwm: every access bit granted, so no access test
                "if w2 != 0x2 goto pc+4",
                "if w4 != 0x1 goto pc+3",
                "if w5 != 0x3 goto pc+2",
                "w0 = 1",
                "exit",
                // b 8:* r: applies when nothing but read is asked for
                "if w2 != 0x1 goto pc+6",
                "w1 = w3",
                "w1 &= 0x5",
                "if w1 != 0 goto pc+3",
                "if w4 != 0x8 goto pc+2",
                "w0 = 1",
                "exit",
                // c *:* m
                "if w2 != 0x2 goto pc+5",
                "w1 = w3",
                "w1 &= 0x6",
                "if w1 != 0 goto pc+2",
                "w0 = 1",
                "exit",
                // no rule matched: the default
                "w0 = 0",
                "exit",
            }));
}

TEST(DeviceFilterProgramTest, InstructionsOfADenyList) {
  DeviceFilter f;
  f.default_allow = true;
  f.rules = {Rule(kChar, 1, 5, kW), Rule(kBlock, -1, -1, kRwm)};
  EXPECT_EQ(Listing(DeviceFilterProgram(f)),
            (std::vector<std::string>{
                "r2 = *(u32 *)(r1 +0)",
                "w2 &= 0xffff",
                "r3 = *(u32 *)(r1 +0)",
                "w3 >>= 16",
                "r4 = *(u32 *)(r1 +4)",
                "r5 = *(u32 *)(r1 +8)",
                // c 1:5 w: applies when write is among the bits asked for
                "if w2 != 0x2 goto pc+7",
                "w1 = w3",
                "w1 &= 0x4",
                "if w1 == 0 goto pc+4",
                "if w4 != 0x1 goto pc+3",
                "if w5 != 0x5 goto pc+2",
                "w0 = 0",
                "exit",
                "if w2 != 0x1 goto pc+2",
                "w0 = 0",
                "exit",
                "w0 = 1",
                "exit",
            }));
}

TEST(DeviceFilterProgramTest, NoRules) {
  DeviceFilter deny_all;
  EXPECT_EQ(Listing(DeviceFilterProgram(deny_all)).back(), "exit");
  EXPECT_EQ(Interpret(DeviceFilterProgram(deny_all), kChar, kR, 1, 3), 0);
  DeviceFilter allow_all;
  allow_all.default_allow = true;
  EXPECT_EQ(Interpret(DeviceFilterProgram(allow_all), kBlock, kRwm, 8, 0), 1);
}

TEST(DeviceFilterProgramTest, DecidesLikeCgroupV1) {
  DeviceFilter allow_list;
  allow_list.rules = {Rule(kChar, 1, 3, kRwm),   Rule(kChar, -1, -1, kM),         Rule(kBlock, -1, -1, kM),
                      Rule(kChar, 136, -1, kRwm), Rule(kChar, 1, 5, kR | kW),     Rule(kChar, 1, 5, kM),
                      Rule(kBlock, 8, 0, kR),     Rule(kChar, 0xffffffff, 7, kW), Rule(kChar, 5, -1, kR | kM)};
  ExpectSameAsV1(allow_list);
  DeviceFilter deny_list = allow_list;
  deny_list.default_allow = true;
  ExpectSameAsV1(deny_list);

  // Random lists over a small alphabet, so that rules overlap and wildcards cover each other.
  std::mt19937 rng(20261129);
  const int64_t values[] = {-1, 0, 1, 5, 136, 0x80000000};
  for (int round = 0; round < 60; ++round) {
    DeviceFilter f;
    f.default_allow = round % 2 == 1;
    const int n = static_cast<int>(rng() % 8);
    for (int k = 0; k < n; ++k) {
      f.rules.push_back(Rule(rng() % 2 ? kChar : kBlock, values[rng() % 6], values[rng() % 6], 1 + rng() % 7));
    }
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectSameAsV1(f);
    if (HasFailure()) break;
  }
}

Step DevicesStep(std::vector<int64_t> nums) {
  Step s;
  s.kind = StepKind::kCgroupDevices;
  s.path = "/sys/fs/cgroup/c";
  s.nums = std::move(nums);
  return s;
}

TEST(DeviceFilterFromStepTest, DecodesAndRejects) {
  DeviceFilter f;
  std::string error;
  ASSERT_TRUE(DeviceFilterFromStep(DevicesStep({0, kChar, 1, 3, 7, kBlock, -1, -1, kM}), f, error)) << error;
  EXPECT_FALSE(f.default_allow);
  ASSERT_EQ(f.rules.size(), 2u);
  EXPECT_EQ(f.rules[0].type, kChar);
  EXPECT_EQ(f.rules[0].major, 1);
  EXPECT_EQ(f.rules[0].minor, 3);
  EXPECT_EQ(f.rules[0].access, kRwm);
  EXPECT_EQ(f.rules[1].type, kBlock);
  EXPECT_EQ(f.rules[1].major, -1);
  EXPECT_EQ(f.rules[1].access, kM);
  ASSERT_TRUE(DeviceFilterFromStep(DevicesStep({1}), f, error));
  EXPECT_TRUE(f.default_allow);
  EXPECT_TRUE(f.rules.empty());
  ASSERT_TRUE(DeviceFilterFromStep(DevicesStep({0, kChar, 0xffffffff, 0, kR}), f, error)) << error;

  const std::vector<std::pair<std::vector<int64_t>, std::string>> bad = {
      {{}, "device rules: 0 numbers, want 1 + 4 per rule"},
      {{0, kChar, 1, 3}, "device rules: 4 numbers, want 1 + 4 per rule"},
      {{2}, "device rules: default 2, want 0 (deny) or 1 (allow)"},
      {{0, 'c', 1, 3, 7}, "device rule 0: type 99 is neither char nor block"},
      {{0, kChar, 1, 3, 7, kChar, 0x100000000, 3, 7}, "device rule 1: major 4294967296 out of range"},
      {{0, kChar, 1, -2, 7}, "device rule 0: minor -2 out of range"},
      {{0, kChar, 1, 3, 0}, "device rule 0: access bits 0 not a non-empty subset of rwm"},
      {{0, kChar, 1, 3, 8}, "device rule 0: access bits 8 not a non-empty subset of rwm"},
  };
  for (const auto& [nums, message] : bad) {
    EXPECT_FALSE(DeviceFilterFromStep(DevicesStep(nums), f, error)) << message;
    EXPECT_EQ(error, message);
  }
}

// The compiled default config, end to end: what runc's default allow-list lets a container do.
TEST(DeviceFilterProgramTest, DefaultSpecOnV2) {
  using namespace testing_util;
  Spec spec = RuncDefaultSpec();
  Device fuse;
  fuse.type = 'c';
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.origin = "/linux/devices/0";
  spec.linux.devices = {fuse};
  const Plan plan = Compile(spec, FixedHost(CgroupMode::kV2), Options());
  const auto steps = StepsOf(plan, StepKind::kCgroupDevices);
  ASSERT_EQ(steps.size(), 1u);
  DeviceFilter f;
  std::string error;
  ASSERT_TRUE(DeviceFilterFromStep(*steps[0], f, error)) << error;
  const auto prog = DeviceFilterProgram(f);
  struct Case {
    uint32_t type, access, major, minor;
    int want;
  };
  const Case cases[] = {
      {kChar, kR | kW, 1, 3, 1},     // /dev/null
      {kChar, kR, 1, 5, 1},          // /dev/zero
      {kChar, kR | kW, 5, 2, 1},     // /dev/ptmx
      {kChar, kR | kW, 136, 7, 1},   // /dev/pts/7
      {kChar, kR | kW, 10, 200, 1},  // /dev/net/tun (runc 1.1)
      {kChar, kR | kW, 10, 229, 0},  // the spec's /dev/fuse: a node, no rule (runc 1.1)
      {kChar, kM, 42, 0, 1},         // mknod of any char device ...
      {kChar, kR, 42, 0, 0},         // ... but not opening it
      {kBlock, kM, 7, 0, 1},         // the same for block devices
      {kBlock, kR, 7, 0, 0},
      {kChar, kW, 1, 1, 0},  // /dev/mem
      {kChar, kR, 4, 1, 0},  // /dev/tty1
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Interpret(prog, c.type, c.access, c.major, c.minor), c.want)
        << c.type << " " << c.access << " " << c.major << ":" << c.minor;
  }
}

// ---- the kernel (root) ----------------------------------------------------------------------------

bool CanBpf() {
  if (geteuid() != 0) return false;
  struct stat st;
  return stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0 || stat("/sys/fs/cgroup/cgroup.procs", &st) == 0;
}

std::string Cgroup2Root() {
  struct stat st;
  return stat("/sys/fs/cgroup/unified/cgroup.procs", &st) == 0 ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
}

std::string UniqueCgroup() {
  static int counter = 0;
  return Cgroup2Root() + "/runc-h2-bpf-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

bool ProgramExists(uint32_t id) {
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  long fd = syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof attr);
  if (fd >= 0) close(static_cast<int>(fd));
  return fd >= 0;
}

TEST(DeviceFilterKernelTest, VerifierAcceptsWhatWeGenerate) {
  if (!CanBpf()) GTEST_SKIP() << "needs root and cgroup2";
  DeviceFilter f;
  for (int64_t major = 0; major < 64; ++major) {
    f.rules.push_back(Rule(major % 2 ? kChar : kBlock, major, major % 3 ? -1 : major, 1 + major % 7));
  }
  for (bool allow : {false, true}) {
    f.default_allow = allow;
    int fd = -1;
    std::string what;
    ASSERT_EQ(LoadDeviceFilter(DeviceFilterProgram(f), "/x", fd, what), 0) << what;
    EXPECT_NE(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    close(fd);
  }
}

TEST(DeviceFilterKernelTest, VerifierLogIsInTheError) {
  if (!CanBpf()) GTEST_SKIP() << "needs root and cgroup2";
  // Returns R0 without ever setting it.
  std::vector<bpf_insn> prog = DeviceFilterProgram(DeviceFilter{});
  prog.erase(prog.end() - 2);
  int fd = -1;
  std::string what;
  EXPECT_EQ(LoadDeviceFilter(prog, "/sys/fs/cgroup/x", fd, what), EACCES);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(what.rfind("bpf BPF_PROG_LOAD device filter for /sys/fs/cgroup/x (verifier: ", 0), 0u) << what;
  EXPECT_NE(what.find("R0 !read_ok"), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos);
}

// Forks a process into `dir` that opens each path and exits with a bit per failure with EPERM.
int OpenBitsIn(const std::string& dir, const std::vector<std::string>& paths) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY);
    if (fd < 0 || write(fd, "0", 1) != 1) _exit(100);
    close(fd);
    int bits = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
      int f = open(paths[i].c_str(), O_RDONLY);
      if (f >= 0) {
        close(f);
      } else if (errno == EPERM) {
        bits |= 1 << i;
      } else {
        _exit(101);
      }
    }
    _exit(bits);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(DeviceFilterKernelTest, AttachReplaceAndGoneWithTheCgroup) {
  if (!CanBpf()) GTEST_SKIP() << "needs root and cgroup2";
  const std::string dir = UniqueCgroup();
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0) << strerror(errno);

  // Only /dev/null.
  DeviceFilter only_null;
  only_null.rules = {Rule(kChar, 1, 3, kRwm)};
  uint32_t first = 0;
  std::string what;
  ASSERT_EQ(AttachDeviceFilter(DeviceFilterProgram(only_null), dir, first, what), 0) << what;
  std::vector<uint32_t> ids;
  ASSERT_EQ(QueryDeviceFilters(dir, ids), 0);
  EXPECT_EQ(ids, std::vector<uint32_t>{first});
  EXPECT_EQ(OpenBitsIn(dir, {"/dev/null", "/dev/zero"}), 0b10);

  // A second attach replaces the first: now /dev/zero only.
  DeviceFilter only_zero;
  only_zero.rules = {Rule(kChar, 1, 5, kR)};
  uint32_t second = 0;
  ASSERT_EQ(AttachDeviceFilter(DeviceFilterProgram(only_zero), dir, second, what), 0) << what;
  ASSERT_EQ(QueryDeviceFilters(dir, ids), 0);
  EXPECT_EQ(ids, std::vector<uint32_t>{second});
  EXPECT_NE(first, second);
  EXPECT_EQ(OpenBitsIn(dir, {"/dev/null", "/dev/zero"}), 0b01);

  // Removing the cgroup drops the program (the kernel frees it a moment later).
  ASSERT_EQ(CgroupRemove(dir, 2000), 0);
  bool gone = false;
  for (int i = 0; i < 500 && !(gone = !ProgramExists(second)); ++i) usleep(10000);
  EXPECT_TRUE(gone) << "program " << second << " outlived its cgroup";
  EXPECT_FALSE(ProgramExists(first));
}

TEST(DeviceFilterKernelTest, RunStepErrors) {
  if (!CanBpf()) GTEST_SKIP() << "needs root and cgroup2";
  std::string what;
  Step s = DevicesStep({0, kChar, 1, 3, 7});
  s.path = UniqueCgroup();  // never created
  EXPECT_EQ(RunCgroupDevices(s, what), ENOENT);
  EXPECT_EQ(what, "open " + s.path);
  s.nums = {0, kChar, 1};
  EXPECT_EQ(RunCgroupDevices(s, what), EINVAL);
  EXPECT_EQ(what, "device rules: 3 numbers, want 1 + 4 per rule");
}

}  // namespace
}  // namespace runc
