// What `runc spec` writes: the same content as runc's default, with ociVersion 1.3.0.
#pragma once

#include <nlohmann/json.hpp>

namespace runc {

// `rootless` follows `runc spec --rootless`: user namespace with the caller's uid/gid mapped to 0,
// no network namespace, /sys as an rbind of the host's, no gid= on devpts,
// no resources.devices rule.
nlohmann::json DefaultSpec(bool rootless, unsigned host_uid = 0, unsigned host_gid = 0);

}  // namespace runc
