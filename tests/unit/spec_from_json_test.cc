#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "schema/load.h"
#include "schema/names.h"
#include "schema/spec_util.h"

namespace runc {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const fs::path kDataDir = fs::path(RUNC_SOURCE_DIR) / "tests" / "data" / "semantic";

JsonDocument Load(const std::string& name) {
  std::ifstream in(kDataDir / "valid" / name);
  std::stringstream ss;
  ss << in.rdbuf();
  JsonDocument doc;
  Diagnostics diags;
  EXPECT_TRUE(ParseJson(ss.str(), "config.json", doc, diags)) << name;
  EXPECT_TRUE(ValidateSemantics(doc, diags)) << name;
  return doc;
}

Spec FromJson(const nlohmann::json& root) {
  JsonDocument doc;
  doc.Assign(root);
  doc.filename = "config.json";
  return SpecFromJson(doc);
}

std::vector<std::string> Origins(const std::vector<Namespace>& list) {
  std::vector<std::string> out;
  for (const auto& n : list) out.push_back(n.origin);
  return out;
}

TEST(SpecFromJsonPreDraftTest, ReadmeSample) {
  const Spec spec = SpecFromJson(Load("pre-draft-2015-fixed.json"));
  EXPECT_EQ(spec.format, SpecFormat::kPreDraft);
  EXPECT_EQ(spec.oci_version, "pre-draft");
  EXPECT_EQ(spec.hostname, "shell");
  EXPECT_EQ(spec.domainname, std::nullopt);
  EXPECT_EQ(spec.root.path, "rootfs");
  EXPECT_TRUE(spec.root.readonly);

  ASSERT_TRUE(spec.has_process);
  const Process& p = spec.process;
  EXPECT_TRUE(p.terminal);
  EXPECT_THAT(p.args, ElementsAre("sh"));
  EXPECT_THAT(p.env, ElementsAre("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"));
  EXPECT_EQ(p.cwd, "/");  // "" meant the root
  EXPECT_EQ(p.user.uid, 0u);
  EXPECT_EQ(p.user.gid, 0u);
  EXPECT_THAT(p.user.additional_gids, IsEmpty());

  // 7 mounts, the comma strings split into entries.
  ASSERT_EQ(spec.mounts.size(), 7u);
  EXPECT_EQ(spec.mounts[0].destination, "/proc");
  EXPECT_EQ(spec.mounts[0].type, "proc");
  EXPECT_EQ(spec.mounts[0].source, "proc");
  EXPECT_THAT(spec.mounts[0].options, IsEmpty());
  EXPECT_EQ(spec.mounts[0].origin, "/mounts/0");
  EXPECT_THAT(spec.mounts[1].options, ElementsAre("nosuid", "strictatime", "mode=755", "size=65536k"));
  EXPECT_THAT(spec.mounts[2].options,
              ElementsAre("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
  EXPECT_EQ(spec.mounts[6].destination, "/sys/fs/cgroup");
  EXPECT_THAT(spec.mounts[6].options, ElementsAre("nosuid", "noexec", "nodev", "relatime", "ro"));
  EXPECT_EQ(spec.mounts[6].origin, "/mounts/6");

  // 6 character devices, 99 -> 'c', fileMode/uid/gid kept.
  ASSERT_EQ(spec.linux.devices.size(), 6u);
  const std::pair<const char*, std::pair<int, int>> devices[] = {
      {"/dev/null", {1, 3}}, {"/dev/random", {1, 8}}, {"/dev/full", {1, 7}},
      {"/dev/tty", {5, 0}},  {"/dev/zero", {1, 5}},   {"/dev/urandom", {1, 9}},
  };
  for (size_t i = 0; i < 6; ++i) {
    const Device& d = spec.linux.devices[i];
    EXPECT_EQ(d.type, 'c');
    EXPECT_EQ(d.path, devices[i].first);
    EXPECT_EQ(d.major, devices[i].second.first);
    EXPECT_EQ(d.minor, devices[i].second.second);
    EXPECT_EQ(d.file_mode, 438u);
    EXPECT_EQ(d.uid, 0u);
    EXPECT_EQ(d.gid, 0u);
    EXPECT_EQ(d.origin, "/linux/devices/" + std::to_string(i));
  }

  // 1 rlimit: numeric type 7.
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].resource, 7);
  EXPECT_EQ(RlimitName(p.rlimits[0].resource), "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_EQ(p.rlimits[0].hard, 1024u);
  EXPECT_EQ(p.rlimits[0].origin, "/linux/rlimits/0");

  // 3 capabilities in 4 sets.
  ASSERT_TRUE(p.capabilities.has_value());
  const Capabilities& caps = *p.capabilities;
  for (const auto* set : {&caps.bounding, &caps.effective, &caps.permitted, &caps.inheritable}) {
    EXPECT_THAT(*set, ElementsAre("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
  }
  EXPECT_THAT(caps.ambient, IsEmpty());
  EXPECT_EQ(caps.origin, "/linux/capabilities");

  // 5 namespaces to create ("" path = none).
  ASSERT_EQ(spec.linux.namespaces.size(), 5u);
  const NamespaceType types[] = {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kIpc,
                                 NamespaceType::kUts, NamespaceType::kMount};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(spec.linux.namespaces[i].type, types[i]);
    EXPECT_EQ(spec.linux.namespaces[i].path, "");
  }
  EXPECT_THAT(Origins(spec.linux.namespaces), ElementsAre("/linux/namespaces/0", "/linux/namespaces/1",
                                                          "/linux/namespaces/2", "/linux/namespaces/3",
                                                          "/linux/namespaces/4"));

  EXPECT_THAT(spec.linux.uid_mappings, IsEmpty());
  EXPECT_THAT(spec.linux.gid_mappings, IsEmpty());
  EXPECT_EQ(spec.linux.uid_mappings_origin, "/linux/uidMapping");
  EXPECT_EQ(spec.linux.gid_mappings_origin, "/linux/gidMapping");
  EXPECT_THAT(spec.linux.sysctl, IsEmpty());

  // Every resource value of the sample is a 2015 zero value: nothing is set...
  ASSERT_TRUE(spec.linux.resources.has_value());
  const Resources& r = *spec.linux.resources;
  EXPECT_EQ(r.memory, std::nullopt);
  EXPECT_EQ(r.cpu, std::nullopt);
  EXPECT_EQ(r.block_io, std::nullopt);
  EXPECT_EQ(r.network, std::nullopt);
  EXPECT_EQ(r.pids_limit, std::nullopt);
  EXPECT_THAT(r.hugepage_limits, IsEmpty());
  // ...except the device cgroup: deny all, then allow each listed device with its permissions.
  ASSERT_EQ(r.devices.size(), 7u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_EQ(r.devices[0].type, 'a');
  EXPECT_EQ(r.devices[0].access, "rwm");
  EXPECT_EQ(r.devices[0].origin, "/linux/devices");
  for (size_t i = 0; i < 6; ++i) {
    const DeviceRule& rule = r.devices[i + 1];
    EXPECT_TRUE(rule.allow);
    EXPECT_EQ(rule.type, 'c');
    EXPECT_EQ(rule.major, devices[i].second.first);
    EXPECT_EQ(rule.minor, devices[i].second.second);
    EXPECT_EQ(rule.access, "rwm");
    EXPECT_EQ(rule.origin, "/linux/devices/" + std::to_string(i));
  }
}

nlohmann::json PreDraftBase() {
  return nlohmann::json::parse(R"({
    "version": "pre-draft",
    "platform": {"os": "linux", "arch": "amd64"},
    "process": {"terminal": false, "user": {"uid": 1000, "gid": 100, "additionalGids": [10, 11]},
                "args": ["/bin/app", "-v"], "env": null, "cwd": "/srv"},
    "root": {"path": "/var/lib/rootfs", "readonly": false},
    "hostname": "",
    "mounts": [{"type": "bind", "source": "/data", "destination": "/data", "options": "rbind,ro"}],
    "linux": {
      "uidMapping": [{"hostID": 100000, "containerID": 0, "size": 65536}],
      "gidMapping": [{"hostID": 200000, "containerID": 0, "size": 1000}],
      "rlimits": [{"type": 6, "hard": 100, "soft": 50}, {"type": 4, "hard": 0, "soft": 0}],
      "systemProperties": {"net.ipv4.ip_forward": "1"},
      "resources": {
        "disableOOMKiller": true,
        "memory": {"limit": 1073741824, "reservation": 0, "swap": 2147483648, "kernel": 0, "swappiness": 0},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000, "realtimeRuntime": 0, "realtimePeriod": 0,
                "cpus": "0-1", "mems": ""},
        "blockIO": {"blkioWeight": 500, "blkioWeightDevice": "8:0 300\n8:16 200",
                    "blkioThrottleReadBpsDevice": "8:0 1048576\n", "blkioThrottleWriteBpsDevice": "",
                    "blkioThrottleReadIopsDevice": "", "blkioThrottleWriteIopsDevice": "259:0 1000"},
        "hugepageLimits": [{"pageSize": "2MB", "limit": 1048576}],
        "network": {"classId": "0x100001", "priorities": [{"name": "eth0", "priority": 5}]}
      },
      "namespaces": [{"type": "user", "path": ""}, {"type": "network", "path": "/var/run/netns/n1"},
                     {"type": "mount", "path": ""}],
      "capabilities": ["CHOWN", "CAP_SYS_ADMIN"],
      "devices": [{"type": 98, "path": "/dev/sda", "major": 8, "minor": 0, "permissions": "rw",
                   "fileMode": 432, "uid": 0, "gid": 6},
                  {"type": 112, "path": "/dev/fifo", "permissions": "", "fileMode": 420, "uid": 0, "gid": 0}]
    }
  })");
}

TEST(SpecFromJsonPreDraftTest, NonZeroValuesAndStrings) {
  const Spec spec = FromJson(PreDraftBase());
  EXPECT_EQ(spec.format, SpecFormat::kPreDraft);
  EXPECT_EQ(spec.hostname, "");
  EXPECT_EQ(spec.process.cwd, "/srv");
  EXPECT_THAT(spec.process.args, ElementsAre("/bin/app", "-v"));
  EXPECT_THAT(spec.process.env, IsEmpty());
  EXPECT_EQ(spec.process.user.uid, 1000u);
  EXPECT_EQ(spec.process.user.gid, 100u);
  EXPECT_THAT(spec.process.user.additional_gids, ElementsAre(10u, 11u));
  ASSERT_EQ(spec.mounts.size(), 1u);
  EXPECT_THAT(spec.mounts[0].options, ElementsAre("rbind", "ro"));

  ASSERT_EQ(spec.linux.uid_mappings.size(), 1u);
  EXPECT_EQ(spec.linux.uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(spec.linux.uid_mappings[0].container_id, 0u);
  EXPECT_EQ(spec.linux.uid_mappings[0].size, 65536u);
  ASSERT_EQ(spec.linux.gid_mappings.size(), 1u);
  EXPECT_EQ(spec.linux.gid_mappings[0].host_id, 200000u);
  EXPECT_EQ(spec.linux.gid_mappings[0].size, 1000u);

  ASSERT_EQ(spec.process.rlimits.size(), 2u);
  EXPECT_EQ(spec.process.rlimits[0].resource, 6);
  EXPECT_EQ(spec.process.rlimits[0].soft, 50u);
  EXPECT_EQ(spec.process.rlimits[0].hard, 100u);
  EXPECT_EQ(spec.process.rlimits[1].resource, 4);
  EXPECT_EQ(spec.process.rlimits[1].origin, "/linux/rlimits/1");

  ASSERT_TRUE(spec.process.capabilities);
  EXPECT_THAT(spec.process.capabilities->bounding, ElementsAre("CAP_CHOWN", "CAP_SYS_ADMIN"));
  EXPECT_THAT(spec.process.capabilities->inheritable, ElementsAre("CAP_CHOWN", "CAP_SYS_ADMIN"));

  EXPECT_EQ(spec.linux.sysctl.at("net.ipv4.ip_forward"), "1");
  ASSERT_EQ(spec.linux.namespaces.size(), 3u);
  EXPECT_EQ(spec.linux.namespaces[0].type, NamespaceType::kUser);
  EXPECT_EQ(spec.linux.namespaces[0].path, "");
  EXPECT_EQ(spec.linux.namespaces[1].path, "/var/run/netns/n1");

  ASSERT_EQ(spec.linux.devices.size(), 2u);
  EXPECT_EQ(spec.linux.devices[0].type, 'b');
  EXPECT_EQ(spec.linux.devices[0].file_mode, 432u);
  EXPECT_EQ(spec.linux.devices[0].gid, 6u);
  EXPECT_EQ(spec.linux.devices[1].type, 'p');

  ASSERT_TRUE(spec.linux.resources);
  const Resources& r = *spec.linux.resources;
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 1073741824);
  EXPECT_EQ(r.memory->reservation, std::nullopt);
  EXPECT_EQ(r.memory->swap, 2147483648);
  EXPECT_EQ(r.memory->kernel, std::nullopt);
  EXPECT_EQ(r.memory->swappiness, 0u);  // 0 was a real value; -1 meant unset
  EXPECT_EQ(r.memory->disable_oom_killer, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->quota, 50000);
  EXPECT_EQ(r.cpu->period, 100000u);
  EXPECT_EQ(r.cpu->realtime_runtime, std::nullopt);
  EXPECT_EQ(r.cpu->realtime_period, std::nullopt);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.cpu->mems, "");
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 500);
  ASSERT_EQ(r.block_io->weight_device.size(), 2u);
  EXPECT_EQ(r.block_io->weight_device[1].major, 8);
  EXPECT_EQ(r.block_io->weight_device[1].minor, 16);
  EXPECT_EQ(r.block_io->weight_device[1].weight, 200);
  ASSERT_EQ(r.block_io->throttle_read_bps.size(), 1u);
  EXPECT_EQ(r.block_io->throttle_read_bps[0].rate, 1048576u);
  EXPECT_THAT(r.block_io->throttle_write_bps, IsEmpty());
  ASSERT_EQ(r.block_io->throttle_write_iops.size(), 1u);
  EXPECT_EQ(r.block_io->throttle_write_iops[0].major, 259);
  EXPECT_EQ(r.block_io->throttle_write_iops[0].rate, 1000u);
  ASSERT_EQ(r.hugepage_limits.size(), 1u);
  EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(r.hugepage_limits[0].limit, 1048576u);
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->class_id, 0x100001u);
  ASSERT_EQ(r.network->priorities.size(), 1u);
  EXPECT_EQ(r.network->priorities[0].first, "eth0");
  EXPECT_EQ(r.network->priorities[0].second, 5u);
  // Device rules: deny all, allow the block device; the fifo has no cgroup rule.
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_EQ(r.devices[1].type, 'b');
  EXPECT_EQ(r.devices[1].access, "rw");
}

TEST(SpecFromJsonPreDraftTest, DisableOomKillerFalseAndSwappinessMinusOneAreUnset) {
  auto j = PreDraftBase();
  j["linux"]["resources"]["disableOOMKiller"] = false;
  j["linux"]["resources"]["memory"] = {{"limit", 0}, {"reservation", 0}, {"swap", 0}, {"kernel", 0}, {"swappiness", -1}};
  j["linux"]["resources"]["network"] = {{"classId", ""}, {"priorities", nullptr}};
  const Spec spec = FromJson(j);
  ASSERT_TRUE(spec.linux.resources);
  EXPECT_EQ(spec.linux.resources->memory, std::nullopt);
  EXPECT_EQ(spec.linux.resources->network, std::nullopt);
}

TEST(SpecFromJsonOciTest, RuncDefault) {
  const Spec spec = SpecFromJson(Load("runc-1.1.5-spec.json"));
  EXPECT_EQ(spec.format, SpecFormat::kOci);
  EXPECT_EQ(spec.oci_version, "1.0.2-dev");
  EXPECT_EQ(spec.hostname, "runc");
  EXPECT_TRUE(spec.root.readonly);
  EXPECT_TRUE(spec.process.terminal);
  EXPECT_TRUE(spec.process.no_new_privileges);
  EXPECT_EQ(spec.process.cwd, "/");
  ASSERT_TRUE(spec.process.capabilities);
  EXPECT_THAT(spec.process.capabilities->bounding, ElementsAre("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
  EXPECT_THAT(spec.process.capabilities->ambient, ElementsAre("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
  EXPECT_EQ(spec.process.capabilities->origin, "/process/capabilities");
  ASSERT_EQ(spec.process.rlimits.size(), 1u);
  EXPECT_EQ(spec.process.rlimits[0].resource, 7);
  EXPECT_EQ(spec.process.rlimits[0].origin, "/process/rlimits/0");
  EXPECT_EQ(spec.mounts.size(), 7u);
  EXPECT_THAT(spec.mounts[1].options, ElementsAre("nosuid", "strictatime", "mode=755", "size=65536k"));
  EXPECT_EQ(spec.linux.namespaces.size(), 5u);
  EXPECT_EQ(spec.linux.masked_paths.size(), 10u);
  EXPECT_EQ(spec.linux.readonly_paths.size(), 5u);
  ASSERT_TRUE(spec.linux.resources);
  ASSERT_EQ(spec.linux.resources->devices.size(), 1u);
  EXPECT_FALSE(spec.linux.resources->devices[0].allow);
  EXPECT_EQ(spec.linux.resources->devices[0].type, 'a');
  EXPECT_EQ(spec.linux.resources->devices[0].major, std::nullopt);
  EXPECT_EQ(spec.linux.resources->devices[0].access, "rwm");
  EXPECT_EQ(spec.linux.cgroups_path, std::nullopt);
  EXPECT_EQ(spec.linux.uid_mappings_origin, "/linux/uidMappings");
}

TEST(SpecFromJsonOciTest, RuncRootless) {
  const Spec spec = SpecFromJson(Load("runc-1.1.5-spec-rootless.json"));
  ASSERT_EQ(spec.linux.uid_mappings.size(), 1u);
  EXPECT_EQ(spec.linux.uid_mappings[0].size, 1u);
  ASSERT_EQ(spec.linux.gid_mappings.size(), 1u);
  EXPECT_EQ(spec.linux.namespaces.back().type, NamespaceType::kUser);
  EXPECT_EQ(spec.linux.namespaces.back().origin, "/linux/namespaces/4");
  EXPECT_EQ(spec.linux.resources, std::nullopt);
  EXPECT_EQ(spec.mounts[5].type, "none");
  EXPECT_THAT(spec.mounts[5].options, ElementsAre("rbind", "nosuid", "noexec", "nodev", "ro"));
}

TEST(SpecFromJsonOciTest, Podman) {
  const Spec spec = SpecFromJson(Load("podman-4.3.1-config.json"));
  EXPECT_EQ(spec.hostname, "06090bb8c855");
  EXPECT_EQ(spec.annotations.size(), 8u);
  EXPECT_EQ(spec.annotations.at("io.container.manager"), "libpod");
  EXPECT_EQ(spec.linux.cgroups_path,
            "/libpod_parent/libpod-06090bb8c855c98e9bafe440b25d9b632c242953a058b311500619df6466bd13");
  ASSERT_TRUE(spec.linux.resources);
  EXPECT_EQ(spec.linux.resources->pids_limit, 2048);
  ASSERT_EQ(spec.process.rlimits.size(), 2u);
  EXPECT_EQ(spec.process.rlimits[1].resource, 6);
  EXPECT_EQ(spec.process.rlimits[1].soft, 32768u);
  EXPECT_EQ(spec.mounts.size(), 10u);
  EXPECT_THAT(spec.mounts[5].options, ElementsAre("bind", "rprivate"));
  ASSERT_TRUE(spec.linux.seccomp);
  const Seccomp& s = *spec.linux.seccomp;
  EXPECT_EQ(s.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.default_errno_ret, 38u);
  EXPECT_THAT(s.architectures, ElementsAre("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
  ASSERT_EQ(s.syscalls.size(), 19u);
  EXPECT_EQ(s.syscalls[0].action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.syscalls[0].errno_ret, 1u);
  EXPECT_EQ(s.syscalls[0].names.front(), "bdflush");
  EXPECT_EQ(s.syscalls[2].origin, "/linux/seccomp/syscalls/2");
  EXPECT_THAT(s.syscalls[2].names, ElementsAre("personality"));
  ASSERT_EQ(s.syscalls[2].args.size(), 1u);
  EXPECT_EQ(s.syscalls[2].args[0].index, 0u);
  EXPECT_EQ(s.syscalls[2].args[0].value, 0u);
  EXPECT_EQ(s.syscalls[2].args[0].op, "SCMP_CMP_EQ");
}

TEST(SpecFromJsonOciTest, Containerd) {
  const Spec spec = SpecFromJson(Load("containerd-1.6.20-config.json"));
  EXPECT_FALSE(spec.process.terminal);
  EXPECT_TRUE(spec.process.no_new_privileges);
  EXPECT_THAT(spec.process.user.additional_gids, ElementsAre(0u));
  EXPECT_EQ(spec.linux.cgroups_path, "/default/d1");
  ASSERT_TRUE(spec.linux.resources);
  const Resources& r = *spec.linux.resources;
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 1024u);
  ASSERT_EQ(r.devices.size(), 10u);
  EXPECT_TRUE(r.devices[8].allow);
  EXPECT_EQ(r.devices[8].type, 'c');
  EXPECT_EQ(r.devices[8].major, 136);
  EXPECT_EQ(r.devices[8].minor, std::nullopt);  // a wildcard
  EXPECT_EQ(r.devices[8].origin, "/linux/resources/devices/8");
  EXPECT_EQ(spec.hostname, "");
}

TEST(SpecFromJsonOciTest, EveryField) {
  const auto j = nlohmann::json::parse(R"({
    "ociVersion": "1.3.0",
    "root": {"path": "/rootfs", "readonly": true},
    "process": {
      "terminal": true, "consoleSize": {"height": 24, "width": 80},
      "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [3], "username": "u"},
      "args": ["a"], "env": ["X=1"], "cwd": "/w",
      "capabilities": {"inheritable": ["CAP_KILL"]},
      "noNewPrivileges": true, "apparmorProfile": "ap", "oomScoreAdj": -500, "selinuxLabel": "sl",
      "scheduler": {"policy": "SCHED_DEADLINE", "nice": -5, "priority": 3, "flags": ["SCHED_FLAG_RESET_ON_FORK"],
                    "runtime": 10, "deadline": 20, "period": 30},
      "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
      "execCPUAffinity": {"initial": "0", "final": "1-3"}
    },
    "domainname": "example.org",
    "mounts": [{"destination": "/m", "type": "bind", "source": "/s", "options": ["rbind", "idmap"],
                "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                "gidMappings": [{"containerID": 1, "hostID": 2000, "size": 20}]}],
    "hooks": {
      "prestart": [{"path": "/p"}],
      "createRuntime": [{"path": "/cr", "args": ["cr", "x"], "env": ["E=1"], "timeout": 7}],
      "createContainer": [{"path": "/cc"}], "startContainer": [{"path": "/sc"}],
      "poststart": [{"path": "/ps0"}, {"path": "/ps1"}], "poststop": [{"path": "/pst"}]
    },
    "linux": {
      "namespaces": [{"type": "time"}, {"type": "cgroup", "path": "/proc/1/ns/cgroup"}],
      "timeOffsets": {"monotonic": {"secs": -2, "nanosecs": 7}},
      "cgroupsPath": "system.slice:x:y",
      "rootfsPropagation": "rslave",
      "sysctl": {"kernel.shmmax": "8"},
      "mountLabel": "ml",
      "resources": {
        "memory": {"limit": 100, "reservation": 50, "swap": -1, "kernel": 5, "kernelTCP": 6, "swappiness": 10,
                   "disableOOMKiller": false, "useHierarchy": true, "checkBeforeUpdate": true},
        "cpu": {"shares": 2, "quota": -1, "burst": 3, "period": 4, "realtimeRuntime": 5, "realtimePeriod": 6,
                "cpus": "0-1", "mems": "0", "idle": 1},
        "blockIO": {"weight": 10, "leafWeight": 11,
                    "weightDevice": [{"major": 8, "minor": 0, "weight": 12}],
                    "throttleReadBpsDevice": [{"major": 8, "minor": 1, "rate": 13}],
                    "throttleWriteBpsDevice": [{"major": 8, "minor": 2, "rate": 14}],
                    "throttleReadIOPSDevice": [{"major": 8, "minor": 3, "rate": 15}],
                    "throttleWriteIOPSDevice": [{"major": 8, "minor": 4, "rate": 16}]},
        "hugepageLimits": [{"pageSize": "1GB", "limit": 17}],
        "network": {"classID": 18, "priorities": [{"name": "lo", "priority": 19}]},
        "pids": {"limit": 20},
        "rdma": {"mlx5_1": {"hcaHandles": 21}},
        "unified": {"io.weight": "22"}
      },
      "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
                  "listenerPath": "/l", "listenerMetadata": "md",
                  "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                                "args": [{"index": 1, "value": 9, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]},
      "intelRdt": {"closID": "c", "l3CacheSchema": "L3:0=f", "memBwSchema": "MB:0=50", "schemata": ["L2:0=1"],
                   "enableCMT": true},
      "personality": {"domain": "LINUX32", "flags": []},
      "memoryPolicy": {"mode": "MPOL_BIND", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"]},
      "netDevices": {"eth1": {"name": "net1"}, "eth2": {}}
    }
  })");
  const Spec spec = FromJson(j);
  const Process& p = spec.process;
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 24u);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.username, "u");
  EXPECT_EQ(p.apparmor_profile, "ap");
  EXPECT_EQ(p.oom_score_adj, -500);
  EXPECT_EQ(p.selinux_label, "sl");
  ASSERT_TRUE(p.capabilities);
  EXPECT_THAT(p.capabilities->inheritable, ElementsAre("CAP_KILL"));
  EXPECT_THAT(p.capabilities->bounding, IsEmpty());
  ASSERT_TRUE(p.scheduler);
  EXPECT_EQ(p.scheduler->policy, "SCHED_DEADLINE");
  EXPECT_EQ(p.scheduler->nice, -5);
  EXPECT_EQ(p.scheduler->priority, 3);
  EXPECT_THAT(p.scheduler->flags, ElementsAre("SCHED_FLAG_RESET_ON_FORK"));
  EXPECT_EQ(p.scheduler->runtime, 10u);
  EXPECT_EQ(p.scheduler->deadline, 20u);
  EXPECT_EQ(p.scheduler->period, 30u);
  ASSERT_TRUE(p.io_priority);
  EXPECT_EQ(p.io_priority->io_class, "IOPRIO_CLASS_BE");
  EXPECT_EQ(p.io_priority->priority, 4);
  ASSERT_TRUE(p.exec_cpu_affinity);
  EXPECT_EQ(p.exec_cpu_affinity->initial, "0");
  EXPECT_EQ(p.exec_cpu_affinity->final_, "1-3");
  EXPECT_EQ(spec.domainname, "example.org");

  ASSERT_EQ(spec.mounts.size(), 1u);
  ASSERT_EQ(spec.mounts[0].uid_mappings.size(), 1u);
  EXPECT_EQ(spec.mounts[0].uid_mappings[0].host_id, 1000u);
  ASSERT_EQ(spec.mounts[0].gid_mappings.size(), 1u);
  EXPECT_EQ(spec.mounts[0].gid_mappings[0].container_id, 1u);
  EXPECT_EQ(spec.mounts[0].gid_mappings[0].size, 20u);

  ASSERT_EQ(spec.hooks.prestart.size(), 1u);
  ASSERT_EQ(spec.hooks.create_runtime.size(), 1u);
  EXPECT_EQ(spec.hooks.create_runtime[0].path, "/cr");
  EXPECT_THAT(spec.hooks.create_runtime[0].args, ElementsAre("cr", "x"));
  EXPECT_THAT(spec.hooks.create_runtime[0].env, ElementsAre("E=1"));
  EXPECT_EQ(spec.hooks.create_runtime[0].timeout, 7);
  EXPECT_EQ(spec.hooks.create_runtime[0].origin, "/hooks/createRuntime/0");
  EXPECT_EQ(spec.hooks.create_container[0].path, "/cc");
  EXPECT_EQ(spec.hooks.start_container[0].path, "/sc");
  ASSERT_EQ(spec.hooks.poststart.size(), 2u);
  EXPECT_EQ(spec.hooks.poststart[1].origin, "/hooks/poststart/1");
  EXPECT_EQ(spec.hooks.poststop[0].timeout, std::nullopt);

  const Linux& l = spec.linux;
  ASSERT_EQ(l.namespaces.size(), 2u);
  EXPECT_EQ(l.namespaces[1].type, NamespaceType::kCgroup);
  EXPECT_EQ(l.namespaces[1].path, "/proc/1/ns/cgroup");
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -2);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 7u);
  EXPECT_EQ(l.cgroups_path, "system.slice:x:y");
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.sysctl.at("kernel.shmmax"), "8");
  EXPECT_EQ(l.mount_label, "ml");

  ASSERT_TRUE(l.resources);
  const Resources& r = *l.resources;
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 100);
  EXPECT_EQ(r.memory->reservation, 50);
  EXPECT_EQ(r.memory->swap, -1);
  EXPECT_EQ(r.memory->kernel, 5);
  EXPECT_EQ(r.memory->kernel_tcp, 6);
  EXPECT_EQ(r.memory->swappiness, 10u);
  EXPECT_EQ(r.memory->disable_oom_killer, false);  // explicit false is kept in OCI
  EXPECT_EQ(r.memory->use_hierarchy, true);
  EXPECT_EQ(r.memory->check_before_update, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 2u);
  EXPECT_EQ(r.cpu->quota, -1);
  EXPECT_EQ(r.cpu->burst, 3u);
  EXPECT_EQ(r.cpu->period, 4u);
  EXPECT_EQ(r.cpu->realtime_runtime, 5);
  EXPECT_EQ(r.cpu->realtime_period, 6u);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.cpu->mems, "0");
  EXPECT_EQ(r.cpu->idle, 1);
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 10);
  EXPECT_EQ(r.block_io->leaf_weight, 11);
  ASSERT_EQ(r.block_io->weight_device.size(), 1u);
  EXPECT_EQ(r.block_io->weight_device[0].weight, 12);
  EXPECT_EQ(r.block_io->weight_device[0].leaf_weight, std::nullopt);
  EXPECT_EQ(r.block_io->throttle_read_bps.at(0).rate, 13u);
  EXPECT_EQ(r.block_io->throttle_write_bps.at(0).rate, 14u);
  EXPECT_EQ(r.block_io->throttle_read_iops.at(0).rate, 15u);
  EXPECT_EQ(r.block_io->throttle_write_iops.at(0).minor, 4);
  EXPECT_EQ(r.hugepage_limits.at(0).page_size, "1GB");
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->class_id, 18u);
  EXPECT_EQ(r.network->priorities.at(0).second, 19u);
  EXPECT_EQ(r.pids_limit, 20);
  EXPECT_EQ(r.rdma.at("mlx5_1").hca_handles, 21u);
  EXPECT_EQ(r.rdma.at("mlx5_1").hca_objects, std::nullopt);
  EXPECT_EQ(r.unified.at("io.weight"), "22");

  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->default_action, "SCMP_ACT_ALLOW");
  EXPECT_EQ(l.seccomp->default_errno_ret, std::nullopt);
  EXPECT_THAT(l.seccomp->flags, ElementsAre("SECCOMP_FILTER_FLAG_LOG"));
  EXPECT_EQ(l.seccomp->listener_path, "/l");
  EXPECT_EQ(l.seccomp->listener_metadata, "md");
  ASSERT_EQ(l.seccomp->syscalls.size(), 1u);
  EXPECT_EQ(l.seccomp->syscalls[0].args.at(0).value_two, 2u);
  EXPECT_EQ(l.seccomp->syscalls[0].args.at(0).index, 1u);

  ASSERT_TRUE(l.intel_rdt);
  EXPECT_EQ(l.intel_rdt->clos_id, "c");
  EXPECT_EQ(l.intel_rdt->l3_cache_schema, "L3:0=f");
  EXPECT_EQ(l.intel_rdt->mem_bw_schema, "MB:0=50");
  EXPECT_THAT(l.intel_rdt->schemata, ElementsAre("L2:0=1"));
  EXPECT_EQ(l.intel_rdt->enable_monitoring, true);
  ASSERT_TRUE(l.personality);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  ASSERT_TRUE(l.memory_policy);
  EXPECT_EQ(l.memory_policy->mode, "MPOL_BIND");
  EXPECT_EQ(l.memory_policy->nodes, "0-1");
  EXPECT_THAT(l.memory_policy->flags, ElementsAre("MPOL_F_STATIC_NODES"));
  ASSERT_EQ(l.net_devices.size(), 2u);
  EXPECT_EQ(l.net_devices.at("eth1").name, "net1");
  EXPECT_EQ(l.net_devices.at("eth2").name, "");
}

TEST(SpecFromJsonOciTest, LargeRlimitsAndDevices) {
  const Spec spec = SpecFromJson(Load("everything-valid.json"));
  ASSERT_EQ(spec.process.rlimits.size(), 2u);
  EXPECT_EQ(spec.process.rlimits[1].resource, 15);
  EXPECT_EQ(spec.process.rlimits[1].hard, std::numeric_limits<uint64_t>::max());
  ASSERT_EQ(spec.linux.devices.size(), 2u);
  EXPECT_EQ(spec.linux.devices[0].type, 'c');
  EXPECT_EQ(spec.linux.devices[0].major, 10);
  EXPECT_EQ(spec.linux.devices[0].minor, 229);
  EXPECT_EQ(spec.linux.devices[1].type, 'p');
  EXPECT_EQ(spec.linux.devices[1].file_mode, std::nullopt);
  EXPECT_EQ(spec.linux.time_offsets.at("boottime").secs, -3);
  ASSERT_EQ(spec.linux.namespaces.size(), 8u);
  EXPECT_EQ(spec.linux.namespaces[7].type, NamespaceType::kUser);
  EXPECT_EQ(spec.linux.namespaces[7].path, "");
}

TEST(SpecUtilTest, BlkioLines) {
  std::vector<spec_util::BlkioLine> lines;
  std::string error;
  EXPECT_TRUE(spec_util::ParseBlkioLines("8:0 500\n259:1\t1048576\n", lines, error)) << error;
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].major, 8);
  EXPECT_EQ(lines[0].minor, 0);
  EXPECT_EQ(lines[0].value, 500u);
  EXPECT_EQ(lines[1].major, 259);
  EXPECT_EQ(lines[1].minor, 1);
  EXPECT_EQ(lines[1].value, 1048576u);
  EXPECT_TRUE(spec_util::ParseBlkioLines("", lines, error));
  EXPECT_THAT(lines, IsEmpty());
  for (const char* bad : {"8:0", "8:0 ", "8 0 1", "8:0 1\n\n9:0 1", "a:0 1", "8:0 -1", "\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(spec_util::ParseBlkioLines(bad, lines, error));
    EXPECT_EQ(error, std::string("invalid blkio device list \"") + bad + "\" (want \"MAJOR:MINOR VALUE\" lines)");
  }
}

TEST(SpecUtilTest, ClassId) {
  std::optional<uint32_t> id;
  std::string error;
  EXPECT_TRUE(spec_util::ParseClassId("", id, error));
  EXPECT_EQ(id, std::nullopt);
  EXPECT_TRUE(spec_util::ParseClassId("0x100001", id, error));
  EXPECT_EQ(id, 0x100001u);
  EXPECT_TRUE(spec_util::ParseClassId("1048577", id, error));
  EXPECT_EQ(id, 1048577u);
  EXPECT_TRUE(spec_util::ParseClassId("0", id, error));
  EXPECT_EQ(id, 0u);
  for (const char* bad : {"abc", "0x", "-1", "4294967296", "0x1g"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(spec_util::ParseClassId(bad, id, error));
    EXPECT_EQ(error, std::string("invalid class id \"") + bad + "\"");
  }
}

SpecFormat FormatOfText(const std::string& text) {
  JsonDocument doc;
  doc.Assign(nlohmann::json::parse(text));
  return spec_util::FormatOf(doc.root);
}

TEST(SpecUtilTest, FormatAndDeviceTypes) {
  EXPECT_EQ(FormatOfText(R"({"version": "pre-draft"})"), SpecFormat::kPreDraft);
  EXPECT_EQ(FormatOfText(R"({"ociVersion": "1.0.0"})"), SpecFormat::kOci);
  EXPECT_EQ(FormatOfText(R"({"version": "0.1"})"), SpecFormat::kOci);
  EXPECT_EQ(spec_util::PreDraftDeviceType(99), 'c');
  EXPECT_EQ(spec_util::PreDraftDeviceType(98), 'b');
  EXPECT_EQ(spec_util::PreDraftDeviceType(117), 'u');
  EXPECT_EQ(spec_util::PreDraftDeviceType(112), 'p');
  EXPECT_EQ(spec_util::PreDraftDeviceType(97), 0);
  EXPECT_EQ(spec_util::Ptr("/linux/sysctl", "net/ipv4~x"), "/linux/sysctl/net~1ipv4~0x");
}

TEST(SpecFromJsonTest, NeverThrowsOnAnyShape) {
  for (const char* text : {"[]", "null", "\"x\"", "{}", R"({"ociVersion": 1, "process": [], "linux": "x"})",
                           R"({"process": {"args": "sh", "user": {"uid": -1}, "rlimits": {"type": 1}},
                               "mounts": {}, "linux": {"namespaces": [1, {"type": "nope"}],
                               "resources": {"memory": 5, "devices": [{"type": "abc"}]}, "devices": [null]}})",
                           R"({"version": "pre-draft", "mounts": [{"options": ",,"}],
                               "linux": {"rlimits": [{"type": "x"}], "capabilities": "KILL",
                                         "resources": {"blockIO": {"blkioWeightDevice": 5}}}})"}) {
    SCOPED_TRACE(text);
    const Spec spec = FromJson(nlohmann::json::parse(text));
    EXPECT_THAT(spec.process.args, IsEmpty());
  }
  const Spec spec = FromJson(nlohmann::json::parse(R"({"linux": {"namespaces": [1, {"type": "nope"}, {"type": "uts"}]}})"));
  ASSERT_EQ(spec.linux.namespaces.size(), 1u);
  EXPECT_EQ(spec.linux.namespaces[0].origin, "/linux/namespaces/2");
}

}  // namespace
}  // namespace runc
