#include "cli/commands.h"

int main(int argc, char** argv) { return runc::RuncMain(argc, argv); }
