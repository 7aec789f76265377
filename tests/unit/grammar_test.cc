#include "schema/grammar.h"

#include <signal.h>
#include <sys/mount.h>

#include <gtest/gtest.h>

namespace runc {
namespace {

MountOptions MustParse(const std::vector<std::string>& options) {
  MountOptions out;
  std::string error;
  EXPECT_TRUE(ParseMountOptions(options, out, error)) << error;
  EXPECT_EQ(error, "");
  return out;
}

struct FlagCase {
  const char* option;
  uint64_t flags;
  uint64_t clear;
};

TEST(MountOptionsTest, EveryMount8Flag) {
  const FlagCase cases[] = {
      {"ro", MS_RDONLY, 0},
      {"rw", 0, MS_RDONLY},
      {"nosuid", MS_NOSUID, 0},
      {"suid", 0, MS_NOSUID},
      {"nodev", MS_NODEV, 0},
      {"dev", 0, MS_NODEV},
      {"noexec", MS_NOEXEC, 0},
      {"exec", 0, MS_NOEXEC},
      {"sync", MS_SYNCHRONOUS, 0},
      {"async", 0, MS_SYNCHRONOUS},
      {"remount", MS_REMOUNT, 0},
      {"mand", MS_MANDLOCK, 0},
      {"nomand", 0, MS_MANDLOCK},
      {"dirsync", MS_DIRSYNC, 0},
      {"noatime", MS_NOATIME, 0},
      {"atime", 0, MS_NOATIME},
      {"relatime", MS_RELATIME, 0},
      {"norelatime", 0, MS_RELATIME},
      {"strictatime", MS_STRICTATIME, 0},
      {"nostrictatime", 0, MS_STRICTATIME},
      {"nodiratime", MS_NODIRATIME, 0},
      {"diratime", 0, MS_NODIRATIME},
      {"lazytime", MS_LAZYTIME, 0},
      {"nolazytime", 0, MS_LAZYTIME},
      {"iversion", MS_I_VERSION, 0},
      {"noiversion", 0, MS_I_VERSION},
      {"nosymfollow", MS_NOSYMFOLLOW, 0},
      {"symfollow", 0, MS_NOSYMFOLLOW},
      {"silent", MS_SILENT, 0},
      {"loud", 0, MS_SILENT},
      {"bind", MS_BIND, 0},
      {"rbind", MS_BIND | MS_REC, 0},
      {"defaults", 0, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.option);
    const MountOptions o = MustParse({c.option});
    EXPECT_EQ(o.flags, c.flags);
    EXPECT_EQ(o.clear, c.clear);
    EXPECT_EQ(o.propagation, 0u);
    EXPECT_EQ(o.attr_set, 0u);
    EXPECT_EQ(o.attr_clear, 0u);
    EXPECT_TRUE(o.data.empty());
  }
}

TEST(MountOptionsTest, Propagation) {
  const std::pair<const char*, uint64_t> cases[] = {
      {"private", MS_PRIVATE},
      {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},
      {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},
      {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE},
      {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name);
    const MountOptions o = MustParse({name});
    EXPECT_EQ(o.propagation, value);
    EXPECT_EQ(o.flags, 0u);
  }
}

TEST(MountOptionsTest, RecursiveAttributes) {
  struct AttrCase {
    const char* option;
    uint64_t set;
    uint64_t clear;
  };
  const AttrCase cases[] = {
      {"rro", MOUNT_ATTR_RDONLY, 0},
      {"rrw", 0, MOUNT_ATTR_RDONLY},
      {"rnosuid", MOUNT_ATTR_NOSUID, 0},
      {"rsuid", 0, MOUNT_ATTR_NOSUID},
      {"rnodev", MOUNT_ATTR_NODEV, 0},
      {"rdev", 0, MOUNT_ATTR_NODEV},
      {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
      {"rexec", 0, MOUNT_ATTR_NOEXEC},
      {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
      {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
      {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
      {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
      // An atime mode always comes with the whole atime mask in attr_clr (mount_setattr(2)).
      {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
      {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
      {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"rnorelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.option);
    const MountOptions o = MustParse({c.option});
    EXPECT_EQ(o.attr_set, c.set);
    EXPECT_EQ(o.attr_clear, c.clear);
    EXPECT_EQ(o.flags, 0u);
    EXPECT_TRUE(o.data.empty());
  }
}

TEST(MountOptionsTest, LaterAttributeOverridesEarlier) {
  MountOptions o = MustParse({"rro", "rrw"});
  EXPECT_EQ(o.attr_set, 0u);
  EXPECT_EQ(o.attr_clear, static_cast<uint64_t>(MOUNT_ATTR_RDONLY));
  o = MustParse({"rnoatime", "rstrictatime"});
  EXPECT_EQ(o.attr_set, static_cast<uint64_t>(MOUNT_ATTR_STRICTATIME));
  EXPECT_EQ(o.attr_clear, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
}

TEST(MountOptionsTest, LaterFlagOverridesEarlier) {
  MountOptions o = MustParse({"ro", "rw"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(o.clear, static_cast<uint64_t>(MS_RDONLY));
  o = MustParse({"rw", "ro"});
  EXPECT_EQ(o.flags, static_cast<uint64_t>(MS_RDONLY));
  EXPECT_EQ(o.clear, 0u);
}

TEST(MountOptionsTest, IdmapAndData) {
  MountOptions o = MustParse({"idmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_FALSE(o.ridmap);
  o = MustParse({"ridmap"});
  EXPECT_TRUE(o.ridmap);
  EXPECT_FALSE(o.idmap);

  o = MustParse({"nosuid", "strictatime", "mode=755", "size=65536k", "tmpcopyup"});
  EXPECT_EQ(o.flags, static_cast<uint64_t>(MS_NOSUID | MS_STRICTATIME));
  // tmpcopyup is runc's extension, not tmpfs data: passed on, the kernel refuses the mount.
  EXPECT_EQ(o.data, (std::vector<std::string>{"mode=755", "size=65536k"}));
  EXPECT_EQ(o.Data(), "mode=755,size=65536k");
  EXPECT_TRUE(o.tmpcopyup);
  EXPECT_FALSE(MustParse({"mode=755"}).tmpcopyup);
}

TEST(MountOptionsTest, FlagNamesAreWholeWords) {
  // "rod" is not "ro" followed by garbage, and flag names are case-sensitive as in mount(8).
  const MountOptions o = MustParse({"rod", "RO", "bindx", "nosuid=1"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(o.data, (std::vector<std::string>{"rod", "RO", "bindx", "nosuid=1"}));
}

TEST(MountOptionsTest, PodmanBindMount) {
  const MountOptions o = MustParse({"bind", "rprivate", "nosuid", "noexec", "nodev"});
  EXPECT_EQ(o.flags, static_cast<uint64_t>(MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV));
  EXPECT_EQ(o.propagation, static_cast<uint64_t>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(o.Data(), "");
}

TEST(MountOptionsTest, Rejected) {
  MountOptions o;
  std::string error;
  EXPECT_FALSE(ParseMountOptions({"nosuid", ""}, o, error));
  EXPECT_EQ(error, "empty mount option");
  EXPECT_FALSE(ParseMountOptions({"rprivate", "shared"}, o, error));
  EXPECT_EQ(error, "conflicting propagation options \"rprivate\" and \"shared\"");
  // The same propagation twice is harmless.
  EXPECT_TRUE(ParseMountOptions({"rslave", "rslave"}, o, error));
}

TEST(SplitOptionStringTest, Accepted) {
  std::vector<std::string> out;
  std::string error;
  EXPECT_TRUE(SplitOptionString("nosuid,strictatime,mode=755,size=65536k", out, error));
  EXPECT_EQ(out, (std::vector<std::string>{"nosuid", "strictatime", "mode=755", "size=65536k"}));
  EXPECT_TRUE(SplitOptionString("", out, error));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(SplitOptionString("ro", out, error));
  EXPECT_EQ(out, (std::vector<std::string>{"ro"}));
  EXPECT_TRUE(SplitOptionString("ro,context=\"system_u:object_r:x:s0:c1,c2\",nodev", out, error));
  EXPECT_EQ(out, (std::vector<std::string>{"ro", "context=\"system_u:object_r:x:s0:c1,c2\"", "nodev"}));
}

TEST(SplitOptionStringTest, Rejected) {
  std::vector<std::string> out;
  std::string error;
  EXPECT_FALSE(SplitOptionString("nosuid,,nodev", out, error));
  EXPECT_EQ(error, "empty option in mount options \"nosuid,,nodev\"");
  EXPECT_FALSE(SplitOptionString("nosuid,", out, error));
  EXPECT_EQ(error, "empty option in mount options \"nosuid,\"");
  EXPECT_FALSE(SplitOptionString(",nosuid", out, error));
  EXPECT_EQ(error, "empty option in mount options \",nosuid\"");
  EXPECT_FALSE(SplitOptionString("context=\"a,b", out, error));
  EXPECT_EQ(error, "unterminated quote in mount options \"context=\"a,b\"");
}

TEST(ParseSizeTest, Accepted) {
  const std::pair<const char*, int64_t> cases[] = {
      {"65536k", 65536LL * 1024},
      {"65536K", 65536LL * 1024},
      {"1536M", 1536LL << 20},
      {"1536m", 1536LL << 20},
      {"1536MB", 1536LL << 20},
      {"1536MiB", 1536LL << 20},
      {"1536mib", 1536LL << 20},
      {"2g", 2LL << 30},
      {"2Gb", 2LL << 30},
      {"3t", 3LL << 40},
      {"4096", 4096},
      {"4096b", 4096},
      {"0", 0},
      {"-1", -1},
      {"9223372036854775807", INT64_MAX},
      {"8388607t", 8388607LL << 40},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    int64_t got = 0;
    std::string error;
    EXPECT_TRUE(ParseSize(text, got, error)) << error;
    EXPECT_EQ(got, want);
  }
}

TEST(ParseSizeTest, Rejected) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "invalid size \"\""},
      {"k", "invalid size \"k\""},
      {"-2", "invalid size \"-2\""},
      {"1.5g", "invalid size \"1.5g\""},
      {"10x", "invalid size \"10x\""},
      {"10 k", "invalid size \"10 k\""},
      {"10kk", "invalid size \"10kk\""},
      {"10ib", "invalid size \"10ib\""},
      {"99999999999999999999", "invalid size \"99999999999999999999\""},
      {"9223372036854775808", "size \"9223372036854775808\" is too large"},
      {"8388608t", "size \"8388608t\" is too large"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    int64_t got = 0;
    std::string error;
    EXPECT_FALSE(ParseSize(text, got, error));
    EXPECT_EQ(error, want);
  }
}

TEST(ParseSignalTest, NamesAndNumbers) {
  const std::pair<const char*, int> cases[] = {
      {"KILL", SIGKILL},      {"SIGKILL", SIGKILL},   {"9", 9},
      {"kill", SIGKILL},      {"sigterm", SIGTERM},   {"TERM", SIGTERM},
      {"HUP", SIGHUP},        {"INT", SIGINT},        {"QUIT", SIGQUIT},
      {"ILL", SIGILL},        {"TRAP", SIGTRAP},      {"ABRT", SIGABRT},
      {"IOT", SIGABRT},       {"BUS", SIGBUS},        {"FPE", SIGFPE},
      {"USR1", SIGUSR1},      {"SEGV", SIGSEGV},      {"USR2", SIGUSR2},
      {"PIPE", SIGPIPE},      {"ALRM", SIGALRM},      {"STKFLT", SIGSTKFLT},
      {"CHLD", SIGCHLD},      {"CLD", SIGCHLD},       {"CONT", SIGCONT},
      {"STOP", SIGSTOP},      {"TSTP", SIGTSTP},      {"TTIN", SIGTTIN},
      {"TTOU", SIGTTOU},      {"URG", SIGURG},        {"XCPU", SIGXCPU},
      {"XFSZ", SIGXFSZ},      {"VTALRM", SIGVTALRM},  {"PROF", SIGPROF},
      {"WINCH", SIGWINCH},    {"IO", SIGIO},          {"POLL", SIGIO},
      {"PWR", SIGPWR},        {"SYS", SIGSYS},        {"SIGSYS", SIGSYS},
      {"RTMIN", 34},          {"SIGRTMIN", 34},       {"SIGRTMIN+3", 37},
      {"RTMIN+30", 64},       {"RTMAX", 64},          {"RTMAX-2", 62},
      {"SIGRTMAX-30", 34},    {"15", 15},             {"64", 64},
      {"1", 1},               {"sigrtmin+1", 35},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    int got = 0;
    std::string error;
    EXPECT_TRUE(ParseSignal(text, got, error)) << error;
    EXPECT_EQ(got, want);
  }
}

TEST(ParseSignalTest, Rejected) {
  const char* cases[] = {"SIGFOO", "", "SIG", "0", "65", "-9", "KILLX", "SIGRTMIN+31",
                         "RTMAX-31", "RTMIN-1", "RTMAX+1", "SIG KILL", "9x", "RTMIN+"};
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    int got = 0;
    std::string error;
    EXPECT_FALSE(ParseSignal(text, got, error));
    EXPECT_EQ(error, std::string("unknown signal \"") + text + "\"");
  }
}

TEST(SignalNameTest, RoundTrip) {
  EXPECT_EQ(SignalName(SIGKILL), "KILL");
  EXPECT_EQ(SignalName(SIGABRT), "ABRT");
  EXPECT_EQ(SignalName(SIGCHLD), "CHLD");
  EXPECT_EQ(SignalName(SIGIO), "IO");
  EXPECT_EQ(SignalName(34), "RTMIN");
  EXPECT_EQ(SignalName(37), "RTMIN+3");
  EXPECT_EQ(SignalName(49), "RTMIN+15");
  EXPECT_EQ(SignalName(50), "RTMAX-14");
  EXPECT_EQ(SignalName(64), "RTMAX");
  EXPECT_EQ(SignalName(0), "");
  EXPECT_EQ(SignalName(32), "");
  EXPECT_EQ(SignalName(65), "");
  // Every nameable signal parses back to itself, with and without "SIG".
  for (int sig = 1; sig <= 64; ++sig) {
    const std::string name = SignalName(sig);
    if (name.empty()) continue;
    SCOPED_TRACE(name);
    int got = 0;
    std::string error;
    EXPECT_TRUE(ParseSignal(name, got, error)) << error;
    EXPECT_EQ(got, sig);
    EXPECT_TRUE(ParseSignal("SIG" + name, got, error)) << error;
    EXPECT_EQ(got, sig);
  }
}

TEST(ParseCpuListTest, Accepted) {
  std::vector<unsigned> out;
  std::string error;
  EXPECT_TRUE(ParseCpuList("0-3,7", out, error)) << error;
  EXPECT_EQ(out, (std::vector<unsigned>{0, 1, 2, 3, 7}));
  EXPECT_TRUE(ParseCpuList("", out, error));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(ParseCpuList("5", out, error));
  EXPECT_EQ(out, (std::vector<unsigned>{5}));
  EXPECT_TRUE(ParseCpuList("7,2-3,3,0", out, error));
  EXPECT_EQ(out, (std::vector<unsigned>{0, 2, 3, 7}));
  EXPECT_TRUE(ParseCpuList("4-4", out, error));
  EXPECT_EQ(out, (std::vector<unsigned>{4}));
}

TEST(ParseCpuListTest, Rejected) {
  const std::pair<const char*, const char*> cases[] = {
      {"3-1", "invalid cpu range \"3-1\" in \"3-1\""},
      {"0,5-2", "invalid cpu range \"5-2\" in \"0,5-2\""},
      {"a", "invalid cpu list \"a\""},
      {"1,,2", "invalid cpu list \"1,,2\""},
      {"1,", "invalid cpu list \"1,\""},
      {"-1", "invalid cpu list \"-1\""},
      {"1-", "invalid cpu list \"1-\""},
      {"0 - 3", "invalid cpu list \"0 - 3\""},
      {"0-100000", "cpu 100000 out of range in \"0-100000\""},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    std::vector<unsigned> out;
    std::string error;
    EXPECT_FALSE(ParseCpuList(text, out, error));
    EXPECT_EQ(error, want);
  }
}

TEST(ParseDeviceAccessTest, Accepted) {
  const std::pair<const char*, unsigned> cases[] = {
      {"r", 1}, {"w", 2}, {"m", 4}, {"rw", 3}, {"rwm", 7}, {"mwr", 7}, {"rm", 5}, {"wm", 6},
      // runc's emulator drops an `a`.
      {"rwa", 3}, {"wa", 2}, {"arwm", 7},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    unsigned got = 0;
    std::string error;
    EXPECT_TRUE(ParseDeviceAccess(text, got, error)) << error;
    EXPECT_EQ(got, want);
  }
}

TEST(ParseDeviceAccessTest, Rejected) {
  for (const char* text : {"", "rr", "rwx", "RWM", "rw m", "a", "rwmr", "aa", "rwaa", "A"}) {
    SCOPED_TRACE(text);
    unsigned got = 0;
    std::string error;
    EXPECT_FALSE(ParseDeviceAccess(text, got, error));
    EXPECT_EQ(error, std::string("invalid device access \"") + text + "\"");
  }
}

}  // namespace
}  // namespace runc
