// The rootfs phase up to createContainer hooks: propagation, the rootfs bind, every mount of the
// spec (with the remounts bind mounts need), device nodes and /dev links. Follows runc's
// libcontainer/rootfs_linux.go (prepareRoot, mountToRootfs, createDevices, setupPtmx,
// setupDevSymlinks).
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>

#include "compiler/compile_internal.h"
#include "schema/grammar.h"

namespace runc::compile_internal {
namespace {

constexpr uint64_t kDefaultMountFlags = MS_NOEXEC | MS_NOSUID | MS_NODEV;
// Flags a bind mount ignores on the first mount(2); a remount applies them.
constexpr uint64_t kBindIgnored = ~static_cast<uint64_t>(MS_REC | MS_REMOUNT | MS_BIND);

bool PropagationByName(std::string_view name, uint64_t& out) {
  struct Entry {
    std::string_view name;
    uint64_t flags;
  };
  static constexpr Entry kEntries[] = {
      {"private", MS_PRIVATE},         {"rprivate", MS_PRIVATE | MS_REC},
      {"shared", MS_SHARED},           {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},             {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE},   {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (const auto& e : kEntries) {
    if (e.name == name) {
      out = e.flags;
      return true;
    }
  }
  return false;
}

std::string Destination(std::string_view dest) {
  return CleanPath(!dest.empty() && dest[0] == '/' ? std::string(dest) : "/" + std::string(dest));
}

// "CID HID SIZE" lines, as /proc/PID/uid_map wants them.
std::string MapText(const std::vector<IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps) {
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  }
  return out;
}

bool IsBind(const runc::Mount& m, const MountOptions& opts) { return m.type == "bind" || (opts.flags & MS_BIND) != 0; }

// Relative bind sources are relative to the bundle (runc runs from the bundle directory).
std::string BindSource(const Builder& b, const runc::Mount& m) {
  return !m.source.empty() && m.source[0] == '/' ? CleanPath(m.source) : JoinPath(b.plan.bundle, m.source);
}

class Mounter {
 public:
  explicit Mounter(Builder& b) : b_(b) {}

  void Run() {
    IdmappedMounts();
    Propagation();
    Step& bind = b_.Add(Phase::kRootfs, StepKind::kRootfsBind, "/root/path");
    bind.path = b_.plan.rootfs;
    bind.flags = MS_BIND | MS_REC;

    bool dev_is_bind = false;
    for (const auto& m : b_.spec.mounts) {
      Mount(m, dev_is_bind);
    }
    // A /dev bind-mounted from the host already has its nodes and links (runc's needsSetupDev).
    if (!dev_is_bind) {
      Devices();
      Links();
    }
    if (dev_remount_) b_.plan.steps.push_back(*dev_remount_);
  }

 private:
  // runtime-spec 1.2 idmapped mounts (mounts[].uidMappings/gidMappings, options idmap/ridmap):
  // the kernel attaches an id mapping only to a detached mount, only for a caller privileged over
  // the source's superblock (the host's user namespace), and takes it as a user namespace fd. The
  // init has neither, so the runtime prepares the mount here, at the end of the spawn phase (after
  // the hooks, where a plain bind would see the source), and hands it to the init, whose kMount
  // step of the same origin and destination attaches it (runc 1.2 does the same split).
  // Mappings come from the mount, else (idmap without mappings, which 1.2 allows) from the
  // container's user namespace: its maps when it creates one, its path when it joins one. Like
  // runc, mappings without either option are an idmap mount too (the spec says the option SHOULD
  // be there). Non-bind mounts and idmap without any mapping are refused by the semantic pass and
  // left alone here.
  //
  // A plain bind mount of a container in a user namespace (created or joined) and a mount
  // namespace is opened by the runtime the same way (mount.open), unless the runtime is rootless:
  // the init is root of the user namespace only, mapped to a host user that may not reach the
  // source (a 0700 directory). runc 1.1 opens them before the user namespace for the same reason
  // (shouldSendMountSources: userns and mntns, not rootless, bind mounts).
  void IdmappedMounts() {
    bool userns = b_.create_user_ns;
    for (const auto& ns : b_.spec.linux.namespaces) userns = userns || ns.type == NamespaceType::kUser;
    const bool open_binds = userns && b_.mount_ns && !b_.options.rootless;
    for (const auto& m : b_.spec.mounts) {
      MountOptions opts;
      std::string error;
      ParseMountOptions(m.options, opts, error);
      const bool mappings = !m.uid_mappings.empty() || !m.gid_mappings.empty();
      if (!IsBind(m, opts)) continue;
      if (!(opts.idmap || opts.ridmap || mappings)) {
        if (!open_binds) continue;
        Step& s = b_.Add(Phase::kSpawn, StepKind::kMountOpen, m.origin);
        s.source = BindSource(b_, m);
        s.path = Destination(m.destination);
        s.flags = MS_BIND | (opts.flags & MS_REC);
        continue;
      }
      Step& s = b_.Add(Phase::kSpawn, StepKind::kIdmapMount, m.origin);
      s.source = BindSource(b_, m);
      s.path = Destination(m.destination);
      s.flags = MS_BIND | (opts.flags & MS_REC);
      s.flags2 = opts.ridmap ? MS_REC : 0;
      if (mappings) {
        s.argv = {MapText(m.uid_mappings), MapText(m.gid_mappings)};
      } else if (b_.create_user_ns) {
        s.argv = {MapText(b_.spec.linux.uid_mappings), MapText(b_.spec.linux.gid_mappings)};
      } else {
        for (const auto& ns : b_.spec.linux.namespaces) {
          if (ns.type == NamespaceType::kUser && !ns.path.empty()) s.name = ns.path;
        }
      }
    }
  }

  void Propagation() {
    uint64_t flags = MS_SLAVE | MS_REC;  // runc's default: host mounts still reach the container
    std::string origin = "default";
    const auto& name = b_.spec.linux.rootfs_propagation;
    if (!name.empty() && PropagationByName(name, flags)) origin = "/linux/rootfsPropagation";
    Step& s = b_.Add(Phase::kRootfs, StepKind::kPropagation, origin);
    s.path = "/";
    s.flags = flags;
  }

  void Mount(const runc::Mount& m, bool& dev_is_bind) {
    MountOptions opts;
    std::string error;
    // Options were validated with the same parser; a failure here keeps what was understood.
    ParseMountOptions(m.options, opts, error);
    const std::string dest = Destination(m.destination);
    const bool bind = IsBind(m, opts);

    if (m.type == "cgroup" && !bind) {
      CgroupMount(m, opts, dest);
      return;
    }
    if (bind) {
      if (dest == "/dev") dev_is_bind = true;
      Step& s = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
      s.source = BindSource(b_, m);
      s.path = dest;
      s.fstype = "bind";
      s.flags = MS_BIND | (opts.flags & MS_REC);
      s.flags2 = opts.propagation;
      SetAttrs(s, opts);
      if ((opts.flags & kBindIgnored) != 0) {
        Step& r = b_.Add(Phase::kRootfs, StepKind::kRemount, m.origin);
        r.path = dest;
        r.flags = MS_REMOUNT | MS_BIND | (opts.flags & kBindIgnored);
      }
      return;
    }

    Step& s = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
    s.source = m.source;
    s.path = dest;
    s.fstype = m.type;
    s.flags = opts.flags;
    s.value = opts.Data();
    s.flags2 = opts.propagation;
    SetAttrs(s, opts);
    // Files still have to be created in /dev and tmpfs mounts may need a chmod: mount them
    // writable, then remount read-only (runc's mountPropagate + finalizeRootfs).
    const bool remount_ro = (opts.flags & MS_RDONLY) != 0 && (m.type == "tmpfs" || dest == "/dev");
    if (remount_ro) s.flags &= ~static_cast<uint64_t>(MS_RDONLY);
    // runc copies up only into a tmpfs (the option is ignored elsewhere), and before the
    // read-only remount, which would make the copy fail. (Add() invalidates `s`.)
    if (opts.tmpcopyup && m.type == "tmpfs") {
      Step& c = b_.Add(Phase::kRootfs, StepKind::kTmpCopyup, m.origin);
      c.path = dest;
    }
    if (remount_ro) {
      Step r;
      r.phase = Phase::kRootfs;
      r.kind = StepKind::kRemount;
      r.origin = m.origin;
      r.path = dest;
      r.flags = MS_REMOUNT | (opts.flags & ~static_cast<uint64_t>(MS_REMOUNT | MS_BIND | MS_REC));
      if (dest == "/dev") {
        dev_remount_ = std::move(r);
      } else {
        b_.plan.steps.push_back(std::move(r));
      }
    }
  }

  static void SetAttrs(Step& s, const MountOptions& opts) {
    if (opts.attr_set != 0 || opts.attr_clear != 0) {
      s.nums = {static_cast<int64_t>(opts.attr_set), static_cast<int64_t>(opts.attr_clear)};
    }
  }

  // A "cgroup" mount shows the container its own cgroups. v2: a cgroup2 mount. v1: a tmpfs with
  // one entry per hierarchy: a bind of the container's directory, or (with a cgroup namespace) a
  // fresh cgroup mount, plus links for co-mounted controllers (runc's mountCgroupV1/V2).
  void CgroupMount(const runc::Mount& m, const MountOptions& opts, const std::string& dest) {
    if (b_.host.cgroup_mode == CgroupMode::kV2) {
      Step& s = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
      s.source = m.source.empty() ? "cgroup" : m.source;
      s.path = dest;
      s.fstype = "cgroup2";
      s.flags = opts.flags;
      s.value = opts.Data();
      s.flags2 = opts.propagation;
      SetAttrs(s, opts);
      return;
    }
    Step& tmpfs = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
    tmpfs.source = "tmpfs";
    tmpfs.path = dest;
    tmpfs.fstype = "tmpfs";
    tmpfs.flags = kDefaultMountFlags;
    tmpfs.value = "mode=755";
    tmpfs.flags2 = opts.propagation;

    const uint64_t extra = opts.flags & kBindIgnored;
    for (const auto& c : b_.cgroups) {
      if (c.unified) continue;
      const std::string sub = dest + "/" + c.label;
      if (b_.create_cgroup_ns) {
        Step& s = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
        const bool systemd = c.label == "systemd";
        s.source = systemd ? "systemd" : "cgroup";
        s.path = sub;
        s.fstype = "cgroup";
        s.flags = kDefaultMountFlags | (opts.flags & MS_RDONLY);
        std::string data;
        for (const auto& controller : c.controllers) {
          if (!data.empty()) data += ',';
          data += controller;
        }
        s.value = std::move(data);
      } else {
        Step& s = b_.Add(Phase::kRootfs, StepKind::kMount, m.origin);
        s.source = c.dir;
        s.path = sub;
        s.fstype = "bind";
        s.flags = MS_BIND | MS_REC;
        s.flags2 = opts.propagation;
        // Rootless: when the if-permitted cgroup.mkdir was skipped, the init stayed in the
        // runtime's own cgroup, and that is what it sees (runc binds the init's own cgroup).
        if (CgroupsBestEffort(b_)) s.argv = {c.own_dir};
        if (extra != 0) {
          Step& r = b_.Add(Phase::kRootfs, StepKind::kRemount, m.origin);
          r.path = sub;
          r.flags = MS_REMOUNT | MS_BIND | extra;
        }
      }
    }
    for (const auto& c : b_.cgroups) {
      if (c.unified || c.label.find(',') == std::string::npos) continue;
      size_t start = 0;
      while (start <= c.label.size()) {
        size_t comma = c.label.find(',', start);
        if (comma == std::string::npos) comma = c.label.size();
        Step& s = b_.Add(Phase::kRootfs, StepKind::kSymlink, m.origin);
        s.path = dest + "/" + c.label.substr(start, comma - start);
        s.source = c.label;
        start = comma + 1;
      }
    }
    // The tmpfs holding the hierarchies stays writable even for a read-only cgroup mount: only the
    // hierarchies themselves are read-only. That is what runc 1.1 (the reference) leaves behind.
  }

  void Node(const std::string& path, char type, int64_t major, int64_t minor, uint32_t perm, uint32_t uid,
            uint32_t gid, std::string origin) {
    if (b_.user_ns) {
      // mknod is refused in a user namespace: bind the host's node instead (runc does the same).
      Step& s = b_.Add(Phase::kRootfs, StepKind::kDeviceBind, std::move(origin));
      s.source = path;
      s.path = path;
      return;
    }
    Step& s = b_.Add(Phase::kRootfs, StepKind::kMknod, std::move(origin));
    s.path = path;
    int64_t mode = S_IFCHR;
    if (type == 'b') mode = S_IFBLK;
    if (type == 'p') {
      // A fifo's major and minor may be written (the runtime-spec does not forbid them) but mean
      // nothing: mknod(2) ignores them for S_IFIFO, and the plan says so.
      mode = S_IFIFO;
      major = 0;
      minor = 0;
    }
    s.nums = {mode | (perm & 07777), major, minor, uid, gid};
  }

  void Devices() {
    struct Default {
      std::string_view path;
      int64_t major, minor;
    };
    // runc's AllowedDevices with a path, in its order.
    static constexpr Default kDefaults[] = {
        {"/dev/null", 1, 3}, {"/dev/random", 1, 8}, {"/dev/full", 1, 7},
        {"/dev/tty", 5, 0},  {"/dev/zero", 1, 5},   {"/dev/urandom", 1, 9},
    };
    const auto& devices = b_.spec.linux.devices;
    for (const auto& d : kDefaults) {
      const bool overridden =
          std::any_of(devices.begin(), devices.end(), [&](const Device& x) { return Destination(x.path) == d.path; });
      if (!overridden) Node(std::string(d.path), 'c', d.major, d.minor, 0666, 0, 0, "default");
    }
    for (const auto& d : devices) {
      Node(Destination(d.path), d.type, d.major, d.minor, d.file_mode.value_or(0666), d.uid.value_or(0),
           d.gid.value_or(0), d.origin);
    }
  }

  void Links() {
    // /dev/ptmx must be the devpts instance's ptmx (newinstance); then the links runc makes.
    // runc adds /dev/core -> /proc/kcore only when the host has /proc/kcore, which a pure
    // compile cannot know (and this kind of host lacks): it is left out.
    static constexpr std::pair<std::string_view, std::string_view> kLinks[] = {
        {"/dev/ptmx", "pts/ptmx"},
        {"/dev/fd", "/proc/self/fd"},
        {"/dev/stdin", "/proc/self/fd/0"},
        {"/dev/stdout", "/proc/self/fd/1"},
        {"/dev/stderr", "/proc/self/fd/2"},
    };
    for (const auto& [path, target] : kLinks) {
      Step& s = b_.Add(Phase::kRootfs, StepKind::kSymlink, "default");
      s.path = path;
      s.source = target;
    }
  }

  Builder& b_;
  std::optional<Step> dev_remount_;
};

}  // namespace

void AddRootfsSetup(Builder& b) { Mounter(b).Run(); }

}  // namespace runc::compile_internal
