#include "executor/common/seccomp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "schema/json_doc.h"
#include "schema/load.h"

namespace runc {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SeccompSyscall Rule(std::vector<std::string> names, std::string action,
                    std::vector<SeccompArg> args = {},
                    std::optional<uint32_t> errno_ret = std::nullopt) {
  SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.args = std::move(args);
  s.errno_ret = errno_ret;
  return s;
}

Seccomp Profile(std::string default_action, std::vector<SeccompSyscall> rules) {
  Seccomp s;
  s.default_action = std::move(default_action);
  s.architectures = {"SCMP_ARCH_X86_64"};
  s.syscalls = std::move(rules);
  for (size_t i = 0; i < s.syscalls.size(); ++i)
    s.syscalls[i].origin = "/linux/seccomp/syscalls/" + std::to_string(i);
  return s;
}

// Loads `prepared` in a forked child (with no_new_privs, so no CAP_SYS_ADMIN is needed) and runs
// `body` there; returns the child's wait status. The filter never touches the test process.
int InChild(const PreparedSeccomp& prepared, const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    std::string what;
    if (LoadSeccomp(prepared, getpid(), what) != 0) _exit(101);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(SeccompBuild, CountsRulesAndSkipsUnknownSyscalls) {
  PreparedSeccomp p;
  Diagnostic error;
  ASSERT_TRUE(BuildSeccomp(
      Profile("SCMP_ACT_ALLOW", {Rule({"mkdir", "no_such_syscall_h5", "rmdir"}, "SCMP_ACT_ERRNO")}),
      p, error))
      << error.message;
  EXPECT_EQ(p.rules, 2);
  EXPECT_THAT(p.skipped_syscalls, ElementsAre("no_such_syscall_h5"));
  EXPECT_FALSE(p.program.empty());
  EXPECT_EQ(p.flags, 0u);
}

TEST(SeccompBuild, RuleWithTheDefaultActionIsDropped) {
  PreparedSeccomp p;
  Diagnostic error;
  ASSERT_TRUE(
      BuildSeccomp(Profile("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_ALLOW")}), p, error));
  EXPECT_EQ(p.rules, 0);
}

TEST(SeccompBuild, SameArgumentTwiceBecomesSeparateRules) {
  // runc's rule: comparisons on different arguments are ANDed in one rule; several on the same
  // argument cannot be, so each gets its own rule.
  PreparedSeccomp same, different;
  Diagnostic error;
  ASSERT_TRUE(BuildSeccomp(
      Profile("SCMP_ACT_ALLOW", {Rule({"personality"}, "SCMP_ACT_ERRNO",
                                      {{0, 1, 0, "SCMP_CMP_EQ"}, {0, 2, 0, "SCMP_CMP_EQ"}})}),
      same, error));
  EXPECT_EQ(same.rules, 2);
  ASSERT_TRUE(BuildSeccomp(
      Profile("SCMP_ACT_ALLOW", {Rule({"kill"}, "SCMP_ACT_ERRNO",
                                      {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 9, 0, "SCMP_CMP_EQ"}})}),
      different, error));
  EXPECT_EQ(different.rules, 1);
}

TEST(SeccompBuild, UnknownNamesAreErrorsWithTheirPointer) {
  struct Case {
    Seccomp profile;
    std::string pointer, message;
  };
  Seccomp bad_arch = Profile("SCMP_ACT_ALLOW", {});
  bad_arch.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  Seccomp bad_flag = Profile("SCMP_ACT_ALLOW", {});
  bad_flag.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS"};
  std::vector<Case> cases = {
      {Profile("SCMP_ACT_FOO", {}), "/linux/seccomp/defaultAction",
       "unknown seccomp action SCMP_ACT_FOO"},
      {Profile("SCMP_ACT_ALLOW",
               {Rule({"mkdir"}, "SCMP_ACT_ERRNO"), Rule({"rmdir"}, "SCMP_ACT_BAR")}),
       "/linux/seccomp/syscalls/1/action", "unknown seccomp action SCMP_ACT_BAR"},
      {Profile("SCMP_ACT_ALLOW", {Rule({"kill"}, "SCMP_ACT_ERRNO", {{0, 1, 0, "SCMP_CMP_ABOUT"}})}),
       "/linux/seccomp/syscalls/0/args/0/op", "unknown seccomp operator SCMP_CMP_ABOUT"},
      {Profile("SCMP_ACT_ALLOW", {Rule({"kill"}, "SCMP_ACT_ERRNO", {{6, 1, 0, "SCMP_CMP_EQ"}})}),
       "/linux/seccomp/syscalls/0/args/0/index", "seccomp argument index 6 out of range (0-5)"},
      {bad_arch, "/linux/seccomp/architectures/1", "unknown seccomp architecture SCMP_ARCH_VAX"},
      {bad_flag, "/linux/seccomp/flags/1", "unknown seccomp flag SECCOMP_FILTER_FLAG_BOGUS"},
      {Profile("SCMP_ACT_NOTIFY", {}), "/linux/seccomp/defaultAction",
       "SCMP_ACT_NOTIFY cannot be the default action"},
  };
  for (const auto& c : cases) {
    PreparedSeccomp p;
    Diagnostic error;
    EXPECT_FALSE(BuildSeccomp(c.profile, p, error));
    EXPECT_EQ(error.pointer, c.pointer);
    EXPECT_EQ(error.message, c.message);
  }
}

TEST(SeccompBuild, FlagsAndNotify) {
  PreparedSeccomp p;
  Diagnostic error;
  Seccomp s = Profile("SCMP_ACT_ALLOW", {Rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  ASSERT_TRUE(BuildSeccomp(s, p, error)) << error.message;
  EXPECT_TRUE(p.notify);
  // LOG | SPEC_ALLOW | NEW_LISTENER (added because a rule notifies)
  EXPECT_EQ(p.flags, 2u | 4u | 8u);
}

TEST(SeccompBuild, EveryActionName) {
  for (std::string action :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
    PreparedSeccomp p;
    Diagnostic error;
    EXPECT_TRUE(BuildSeccomp(Profile("SCMP_ACT_ALLOW", {Rule({"mkdir"}, action)}), p, error))
        << action << ": " << error.message;
    EXPECT_EQ(p.rules, 1) << action;
  }
}

TEST(SeccompBuild, PodmanProfileBuilds) {
  Diagnostics diags;
  JsonDocument doc;
  // golden/fixture-podman holds podman 4.3.1's config.json as podman wrote it.
  ASSERT_TRUE(
      ReadJsonFile(RUNC_SOURCE_DIR "/golden/fixture-podman/config.json", "config.json", doc, diags))
      << (diags.empty() ? "" : diags[0].ToString());
  Spec spec = SpecFromJson(doc);
  ASSERT_TRUE(spec.linux.seccomp.has_value());
  PreparedSeccomp p;
  Diagnostic error;
  ASSERT_TRUE(BuildSeccomp(*spec.linux.seccomp, p, error))
      << error.pointer << ": " << error.message;
  // Every name of the profile, less those libseccomp does not know, less none: the profile has no
  // rule whose action is the default (ERRNO with 38), so each known name gives one rule, and the
  // personality rules have one comparison each.
  size_t names = 0;
  for (const auto& sc : spec.linux.seccomp->syscalls) names += sc.names.size();
  EXPECT_EQ(static_cast<size_t>(p.rules) + p.skipped_syscalls.size(), names);
  EXPECT_GT(p.rules, 300);
  EXPECT_FALSE(p.notify);
}

// ---- the exported program in the kernel
// -----------------------------------------------------------

TEST(SeccompLoad, ErrnoRetAndDefaultErrnoRet) {
  PreparedSeccomp p;
  Diagnostic error;
  Seccomp s = Profile("SCMP_ACT_ALLOW", {Rule({"getppid"}, "SCMP_ACT_ERRNO", {}, EXDEV),
                                         Rule({"getpgid"}, "SCMP_ACT_ERRNO")});
  ASSERT_TRUE(BuildSeccomp(s, p, error)) << error.message;
  int status = InChild(p, [] {
    errno = 0;
    if (syscall(SYS_getppid) != -1 || errno != EXDEV) return 1;
    errno = 0;
    if (syscall(SYS_getpgid, 0) != -1 || errno != EPERM) return 2;  // ERRNO without errnoRet: EPERM
    if (syscall(SYS_getpid) <= 0) return 3;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // Default ERRNO with defaultErrnoRet: everything not allowed fails with that errno. Everything
  // but getppid is allowed (the sanitizers' runtime makes its own syscalls in the child).
  std::vector<std::string> all_but_getppid;
  for (int nr = 0; nr < 1024; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name && strcmp(name, "getppid") != 0) all_but_getppid.push_back(name);
    free(name);
  }
  PreparedSeccomp d;
  Seccomp ds = Profile("SCMP_ACT_ERRNO", {Rule(all_but_getppid, "SCMP_ACT_ALLOW")});
  ds.default_errno_ret = ENOSYS;
  ASSERT_TRUE(BuildSeccomp(ds, d, error)) << error.message;
  status = InChild(d, [] {
    errno = 0;
    if (syscall(SYS_getppid) != -1 || errno != ENOSYS) return 1;
    if (syscall(SYS_getpid) <= 0) return 2;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SeccompLoad, ArgumentOperators) {
  PreparedSeccomp p;
  Diagnostic error;
  // umask(2): MASKED_EQ (value = mask, valueTwo = expected) on arg 0, and GT on getpgid's pid.
  Seccomp s =
      Profile("SCMP_ACT_ALLOW",
              {Rule({"umask"}, "SCMP_ACT_ERRNO", {{0, 0700, 0700, "SCMP_CMP_MASKED_EQ"}}, EACCES),
               Rule({"getpgid"}, "SCMP_ACT_ERRNO", {{0, 100000000, 0, "SCMP_CMP_GT"}}, EDOM)});
  ASSERT_TRUE(BuildSeccomp(s, p, error)) << error.message;
  int status = InChild(p, [] {
    errno = 0;
    if (syscall(SYS_umask, 0777) != -1 || errno != EACCES) return 1;
    if (syscall(SYS_umask, 0077) == -1) return 2;  // 0077 & 0700 != 0700
    errno = 0;
    if (syscall(SYS_getpgid, 200000000) != -1 || errno != EDOM) return 3;
    if (syscall(SYS_getpgid, 0) == -1) return 4;
    return 0;
  });
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SeccompLoad, KillProcessAndTrap) {
  PreparedSeccomp kill;
  Diagnostic error;
  ASSERT_TRUE(BuildSeccomp(Profile("SCMP_ACT_ALLOW", {Rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")}),
                           kill, error));
  int status = InChild(kill, [] {
    syscall(SYS_getppid);
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSYS);

  PreparedSeccomp trap;
  ASSERT_TRUE(
      BuildSeccomp(Profile("SCMP_ACT_ALLOW", {Rule({"getppid"}, "SCMP_ACT_TRAP")}), trap, error));
  status = InChild(trap, [] {
    // TRAP delivers a catchable SIGSYS, unlike KILL.
    signal(SIGSYS, [](int) { _exit(42); });
    syscall(SYS_getppid);
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);

  PreparedSeccomp log;
  ASSERT_TRUE(
      BuildSeccomp(Profile("SCMP_ACT_ALLOW", {Rule({"getppid"}, "SCMP_ACT_LOG")}), log, error));
  status = InChild(log, [] { return syscall(SYS_getppid) > 0 ? 0 : 1; });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ---- ENOSYS for syscalls newer than the profile
// ----------------------------------------------------------

// Every syscall this libseccomp knows on x86_64 up to rseq (334) but getppid: what a profile
// written before clone3 (435) allows, with one older syscall left to the default action. The
// sanitizers' runtime in the child needs no more.
std::vector<std::string> NamesUpToRseq() {
  std::vector<std::string> names;
  for (int nr = 0; nr <= 334; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    if (name && strcmp(name, "getppid") != 0) names.push_back(name);
    free(name);
  }
  return names;
}

long Errno(long rc) { return rc == -1 ? errno : 0; }

// A syscall of the i386 ABI from this x86_64 process: the kernel reports it with AUDIT_ARCH_I386.
long Syscall32(long nr) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
  return ret;
}

TEST(SeccompEnosys, NewerSyscallsGetEnosysUnderADenyingDefault) {
  PreparedSeccomp p;
  Diagnostic error;
  Seccomp s = Profile("SCMP_ACT_ERRNO", {Rule(NamesUpToRseq(), "SCMP_ACT_ALLOW")});
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  ASSERT_TRUE(BuildSeccomp(s, p, error)) << error.message;
  EXPECT_THAT(p.enosys_syscalls, ElementsAre("clone3", "close_range", "openat2", "faccessat2", "fchmodat2"));
  const bool ia32 = Syscall32(20 /* i386 getpid */) == getpid();
  int status = InChild(p, [ia32] {
    // Without the filter these fail with EFAULT, EINVAL or EBADF, or succeed: never ENOSYS here.
    errno = 0;
    if (Errno(syscall(SYS_clone3, nullptr, 0)) != ENOSYS) return 1;
    if (Errno(syscall(SYS_close_range, ~0U, ~0U, 0)) != ENOSYS) return 2;
    if (Errno(syscall(SYS_openat2, -1, nullptr, nullptr, 0)) != ENOSYS) return 3;
    if (Errno(syscall(SYS_faccessat2, -1, nullptr, 0, 0)) != ENOSYS) return 4;
    if (Errno(syscall(SYS_pidfd_open, getpid(), 0)) != ENOSYS) return 5;  // 434: not on the list
    if (Errno(syscall(1000)) != ENOSYS) return 6;  // no syscall yet
    // What is older than the profile and not named keeps the default action.
    if (Errno(syscall(SYS_getppid)) != EPERM) return 7;
    if (syscall(SYS_getpid) <= 0) return 8;
    // The same for the i386 ABI, with its own numbering (rseq is 386 there; clone3 435).
    if (ia32 && Syscall32(435) != -ENOSYS) return 9;
    if (ia32 && Syscall32(64 /* getppid */) != -EPERM) return 10;
    if (ia32 && Syscall32(20 /* getpid */) <= 0) return 11;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The numbers are not in kernel-version order: a profile that names openat2 (437) and faccessat2
// (439) but not clone3 (435) or close_range (436) would leave those two at the default action
// without the explicit rules. Named syscalls keep their action.
TEST(SeccompEnosys, KnownFallbackSyscallsBelowTheHighestNamedOne) {
  PreparedSeccomp p;
  Diagnostic error;
  Seccomp s = Profile("SCMP_ACT_ERRNO", {Rule(NamesUpToRseq(), "SCMP_ACT_ALLOW"),
                                         Rule({"openat2"}, "SCMP_ACT_ERRNO", {}, EXDEV),
                                         Rule({"faccessat2"}, "SCMP_ACT_ALLOW")});
  ASSERT_TRUE(BuildSeccomp(s, p, error)) << error.message;
  EXPECT_THAT(p.enosys_syscalls, ElementsAre("clone3", "close_range", "fchmodat2"));
  int status = InChild(p, [] {
    errno = 0;
    if (Errno(syscall(SYS_clone3, nullptr, 0)) != ENOSYS) return 1;
    if (Errno(syscall(SYS_close_range, ~0U, ~0U, 0)) != ENOSYS) return 2;
    if (Errno(syscall(SYS_openat2, -1, nullptr, nullptr, 0)) != EXDEV) return 3;
    if (Errno(syscall(SYS_faccessat2, -1, "", 0, 0)) != ENOENT) return 4;  // allowed: the kernel's answer
    if (Errno(syscall(SYS_pidfd_open, getpid(), 0)) != EPERM) return 5;  // 434 < 439, not on the list
    if (Errno(syscall(452 /* fchmodat2 */, -1, "", 0, 0)) != ENOSYS) return 6;
    if (Errno(syscall(1000)) != ENOSYS) return 7;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SeccompEnosys, KillDefaultGivesEnosysTooAndAllowingDefaultsAreLeftAlone) {
  PreparedSeccomp kill;
  Diagnostic error;
  ASSERT_TRUE(BuildSeccomp(Profile("SCMP_ACT_KILL_PROCESS", {Rule(NamesUpToRseq(), "SCMP_ACT_ALLOW")}), kill, error))
      << error.message;
  int status = InChild(kill, [] { return Errno(syscall(SYS_clone3, nullptr, 0)) == ENOSYS ? 0 : 1; });
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  status = InChild(kill, [] {
    syscall(SYS_getppid);  // older and not named: killed
    return 2;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);

  // ALLOW, LOG and TRACE let unknown syscalls through; a default of ENOSYS needs no help.
  for (const char* action : {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG"}) {
    PreparedSeccomp p;
    ASSERT_TRUE(BuildSeccomp(Profile(action, {Rule({"getppid"}, "SCMP_ACT_ERRNO")}), p, error)) << action;
    EXPECT_THAT(p.enosys_syscalls, IsEmpty()) << action;
    status = InChild(p, [] { return Errno(syscall(SYS_close_range, ~0U, ~0U, 0)) == 0 ? 0 : 1; });
    ASSERT_TRUE(WIFEXITED(status)) << action;
    EXPECT_EQ(WEXITSTATUS(status), 0) << action;
  }
  PreparedSeccomp enosys;
  Seccomp s = Profile("SCMP_ACT_ERRNO", {Rule(NamesUpToRseq(), "SCMP_ACT_ALLOW")});
  s.default_errno_ret = ENOSYS;
  ASSERT_TRUE(BuildSeccomp(s, enosys, error));
  EXPECT_THAT(enosys.enosys_syscalls, IsEmpty());
  PreparedSeccomp eperm;
  ASSERT_TRUE(BuildSeccomp(Profile("SCMP_ACT_ERRNO", {Rule(NamesUpToRseq(), "SCMP_ACT_ALLOW")}), eperm, error));
  // The same rules with a default of ENOSYS: libseccomp's program alone, five rules shorter and
  // without the stub in front.
  EXPECT_LT(enosys.program.size(), eperm.program.size());
}

}  // namespace
}  // namespace runc
