// runc features
#include <iostream>

#include "cli/flags.h"

namespace po = boost::program_options;

namespace runc {

int CmdFeatures(const GlobalOptions&, const std::vector<std::string>& args) {
  po::options_description desc("OPTIONS");
  po::positional_options_description pos;
  po::variables_map vm;
  if (int r = ParseFlags("features", "", desc, pos, args, vm); r >= 0) return r;
  std::cout << container::Features().dump(4) << "\n";
  return 0;
}

}  // namespace runc
