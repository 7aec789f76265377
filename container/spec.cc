// spec and validate: runc spec's default config.json for a bundle, and a config's checks (the
// whole front end: syntax, JSON Schema, semantic pass) without compiling it.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "container/container.h"
#include "schema/default_spec.h"
#include "schema/load.h"

namespace runc::container {

std::string BundleConfigName(const std::string& bundle) {
  return bundle == "." || bundle.empty() ? "config.json" : bundle + "/config.json";
}

bool WriteDefaultSpec(const std::string& bundle, bool rootless, Diagnostic& error) {
  const std::string path = bundle + "/config.json";
  const std::string text = DefaultSpec(rootless, getuid(), getgid()).dump(2) + "\n";
  // O_EXCL: never overwrite a config someone wrote.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int e = errno;
    error.message = BundleConfigName(bundle) + ": " +
                    (e == EEXIST ? std::string("file exists, remove it first") : std::strerror(e));
    return false;
  }
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = close(fd) == 0 && ok;
  if (!ok) {
    const int e = errno;
    error.message = BundleConfigName(bundle) + ": write failed: " + std::strerror(e);
    return false;
  }
  return true;
}

bool Validate(const std::string& path, const std::string& display_name, Diagnostics& diags) {
  Spec spec;
  return LoadSpec(path, display_name, spec, diags);
}

}  // namespace runc::container
