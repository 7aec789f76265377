// Small grammars over config values, written with Boost.Spirit X3. Each returns false and sets
// `error` (lowercase, names the offending text) on rejected input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runc {

// Mount options as mount(8) knows them.
struct MountOptions {
  uint64_t flags = 0;        // MS_* to set (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, MS_REMOUNT, ...)
  uint64_t clear = 0;        // MS_* explicitly cleared by "rw", "suid", "dev", "exec", "async", ...
  uint64_t propagation = 0;  // MS_PRIVATE / MS_SHARED / MS_SLAVE / MS_UNBINDABLE, | MS_REC for r*
  uint64_t attr_set = 0;     // MOUNT_ATTR_* from recursive variants ("rro", "rnosuid", ...),
  uint64_t attr_clear = 0;   //   applied with mount_setattr(AT_RECURSIVE)
  bool idmap = false;        // "idmap"
  bool ridmap = false;       // "ridmap"
  bool tmpcopyup = false;    // "tmpcopyup" (runc's extension: a tmpfs starts with what it covers)
  std::vector<std::string> data;  // everything else, passed to the filesystem ("mode=755", "size=65536k")
  std::string Data() const;       // data joined with ','
};

// `options` is the OCI list; each entry is one option.
bool ParseMountOptions(const std::vector<std::string>& options, MountOptions& out, std::string& error);
// The option names ParseMountOptions knows as flags (everything else is filesystem data), in
// table order; `runc features` lists them.
std::vector<std::string_view> MountOptionNames();
// Pre-draft's single comma-separated string ("nosuid,strictatime,mode=755") -> entries; "" -> none.
bool SplitOptionString(std::string_view s, std::vector<std::string>& out, std::string& error);

// "65536k", "1536M", "2g", "4096", "-1" (unlimited). Suffixes k/m/g/t (either case, optional "b"/"ib")
// are powers of 1024.
bool ParseSize(std::string_view s, int64_t& out, std::string& error);

// "KILL", "SIGKILL", "9", "SIGRTMIN+3", "RTMAX-1" -> signal number.
bool ParseSignal(std::string_view s, int& out, std::string& error);
// Canonical name without "SIG" ("KILL", "RTMIN+3"); "" for an unknown number.
std::string SignalName(int sig);

// "0-3,7" -> sorted unique list; "" -> empty list.
bool ParseCpuList(std::string_view s, std::vector<unsigned>& out, std::string& error);

// Device cgroup access "rwm" subset: bit 1 = r, 2 = w, 4 = m. "" is rejected. One `a` beside
// them is accepted and ignored, as runc's device emulator does ("rwa" = "rw").
bool ParseDeviceAccess(std::string_view s, unsigned& out, std::string& error);

}  // namespace runc
