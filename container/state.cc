// state and list: what is on disk under the state root, with the live status of each container.
#include "container/internal.h"

namespace runc::container {

bool State(const Context& ctx, const std::string& id, ContainerState& out, Diagnostic& error) {
  return LoadState(ctx.root, id, out, error);
}

std::vector<ContainerState> List(const Context& ctx) {
  std::vector<ContainerState> states;
  for (const auto& id : ListContainerIds(ctx.root)) {
    ContainerState s;
    Diagnostic err;
    if (LoadState(ctx.root, id, s, err)) states.push_back(std::move(s));
  }
  return states;
}

}  // namespace runc::container
