// fntrace: which functions of a static, non-PIE binary a command executes, in every process of
// its tree (forks, clones, re-executions of the same binary); used by tests/bench/link_order.sh to
// write the link order of runc's hot code (issue 10, peak RSS).
//
//   fntrace ADDRS OUT BINARY COMMAND [ARGS...]
//
// ADDRS: one function start address per line (hex), from the symbol table of BINARY. Every
// process of the tree that runs BINARY (or a byte-identical copy, such as runc's sealed
// re-execution) gets a breakpoint (int3) at each of them, through ptrace; the first hit of a
// breakpoint writes its address to OUT and restores the original byte in that process. A
// process that executes anything else (the container's process) is let go, and so is every
// process still alive when COMMAND's own process exits (`runc create` leaves its container's init
// waiting): stopped, its remaining breakpoints removed, detached. One trap per function and
// process: the command runs at almost its own speed, unlike single-stepping.
// Root, or the right to ptrace the command. Exit status: the command's.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t* addrs;
static unsigned char* orig;
static size_t naddrs;
static FILE* out;
static unsigned char* seen;  // addresses already written to OUT (one line per function)
static off_t binary_size;
static unsigned char binary_head[4096];
static uint64_t text_lo, text_hi;
static pid_t live[4096];  // the tracees
static size_t nlive;

static void Add(pid_t pid) {
  for (size_t i = 0; i < nlive; i++)
    if (live[i] == pid) return;
  if (nlive < sizeof live / sizeof *live) live[nlive++] = pid;
}

static void Remove(pid_t pid) {
  for (size_t i = 0; i < nlive; i++)
    if (live[i] == pid) {
      live[i] = live[--nlive];
      return;
    }
}

static int Compare(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static long Find(uint64_t addr) {
  size_t lo = 0, hi = naddrs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (addrs[mid] < addr) lo = mid + 1;
    else hi = mid;
  }
  return lo < naddrs && addrs[lo] == addr ? (long)lo : -1;
}

// Does process PID run BINARY (the same size and first page)?
static int RunsBinary(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  unsigned char head[sizeof binary_head];
  int same = fstat(fd, &st) == 0 && st.st_size == binary_size &&
             pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
             memcmp(head, binary_head, sizeof head) == 0;
  close(fd);
  return same;
}

static int OpenMem(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  return open(path, O_RDWR | O_CLOEXEC);
}

// A new image of BINARY in PID: a breakpoint at every function start.
static void Arm(pid_t pid) {
  int fd = OpenMem(pid);
  if (fd < 0) { perror("fntrace: open mem"); return; }
  const unsigned char trap = 0xcc;
  for (size_t i = 0; i < naddrs; i++)
    if (pwrite(fd, &trap, 1, (off_t)addrs[i]) != 1) {
      fprintf(stderr, "fntrace: cannot write at %#llx: %s\n", (unsigned long long)addrs[i], strerror(errno));
      break;
    }
  close(fd);
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: fntrace ADDRS OUT BINARY COMMAND [ARGS...]\n");
    return 2;
  }
  FILE* in = fopen(argv[1], "r");
  if (!in) { perror(argv[1]); return 2; }
  size_t cap = 1 << 16;
  addrs = malloc(cap * sizeof *addrs);
  unsigned long long a;
  while (fscanf(in, "%llx", &a) == 1) {
    if (naddrs == cap) addrs = realloc(addrs, (cap *= 2) * sizeof *addrs);
    addrs[naddrs++] = a;
  }
  fclose(in);
  qsort(addrs, naddrs, sizeof *addrs, Compare);
  size_t n = 0;
  for (size_t i = 0; i < naddrs; i++)
    if (n == 0 || addrs[i] != addrs[n - 1]) addrs[n++] = addrs[i];
  naddrs = n;
  if (naddrs == 0) { fprintf(stderr, "fntrace: no addresses\n"); return 2; }
  text_lo = addrs[0];
  text_hi = addrs[naddrs - 1];
  seen = calloc(naddrs, 1);
  orig = malloc(naddrs);

  // The original bytes, from the file: non-PIE, so the address of a byte in the text segment is
  // its virtual address; read them through a first traced image below instead of parsing ELF.
  int bfd = open(argv[3], O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (bfd < 0 || fstat(bfd, &st) != 0 || pread(bfd, binary_head, sizeof binary_head, 0) != (ssize_t)sizeof binary_head) {
    perror(argv[3]);
    return 2;
  }
  close(bfd);
  binary_size = st.st_size;
  out = fopen(argv[2], "w");
  if (!out) { perror(argv[2]); return 2; }

  pid_t child = fork();
  if (child == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[4], argv + 4);
    perror(argv[4]);
    _exit(127);
  }
  int status;
  waitpid(child, &status, 0);
  ptrace(PTRACE_SETOPTIONS, child, 0,
         PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC);
  ptrace(PTRACE_CONT, child, 0, 0);
  int have_orig = 0, exit_code = 0, letting_go = 0;
  Add(child);

  for (;;) {
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: the whole tree is gone (or let go)
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      Remove(pid);
      if (pid == child) {
        exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        letting_go = 1;  // stop the others; each is let go at its stop below
        for (size_t i = 0; i < nlive; i++) kill(live[i], SIGSTOP);
      }
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    Add(pid);
    int sig = WSTOPSIG(status), event = status >> 16;
    if (letting_go && event == 0 && sig == SIGSTOP) {
      if (have_orig && RunsBinary(pid)) {  // without its breakpoints, or it would die of SIGTRAP
        int fd = OpenMem(pid);
        for (size_t i = 0; i < naddrs; i++)
          if (pwrite(fd, &orig[i], 1, (off_t)addrs[i]) != 1) break;
        close(fd);
      }
      ptrace(PTRACE_DETACH, pid, 0, 0);
      Remove(pid);
      continue;
    }
    if (event == PTRACE_EVENT_EXEC) {
      if (!RunsBinary(pid)) {
        ptrace(PTRACE_DETACH, pid, 0, 0);
        Remove(pid);
        continue;
      }
      if (!have_orig) {
        int fd = OpenMem(pid);
        for (size_t i = 0; i < naddrs; i++)
          if (pread(fd, &orig[i], 1, (off_t)addrs[i]) != 1) orig[i] = 0xcc;
        close(fd);
        have_orig = 1;
      }
      Arm(pid);
      ptrace(PTRACE_CONT, pid, 0, 0);
      continue;
    }
    if (event != 0 || sig == SIGSTOP) {  // fork/clone/vfork events, a new task's first stop
      ptrace(PTRACE_CONT, pid, 0, 0);
      continue;
    }
    if (sig == SIGTRAP) {
      struct user_regs_struct regs;
      if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0 && regs.rip - 1 >= text_lo && regs.rip - 1 <= text_hi) {
        long i = Find(regs.rip - 1);
        if (i >= 0) {
          if (!seen[i]) {
            seen[i] = 1;
            fprintf(out, "%016llx\n", (unsigned long long)addrs[i]);
          }
          int fd = OpenMem(pid);
          if (pwrite(fd, &orig[i], 1, (off_t)addrs[i]) != 1) perror("fntrace: restore");
          close(fd);
          regs.rip -= 1;
          ptrace(PTRACE_SETREGS, pid, 0, &regs);
          ptrace(PTRACE_CONT, pid, 0, 0);
          continue;
        }
      }
    }
    ptrace(PTRACE_CONT, pid, 0, sig);  // a signal for the tracee: deliver it
  }
  fclose(out);
  return exit_code;
}
