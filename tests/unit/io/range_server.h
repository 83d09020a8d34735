// RangeServer: runs tests/tools/range_http_server.py on an ephemeral 127.0.0.1 port for the
// duration of a test, serving a fixture directory laid out like the Hugging Face hub
// (<repository>/resolve/<revision>/<file>), and reads back its request log.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace fpt::io::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() /
            ("fpt-io-test-" + std::to_string(getpid()) + "-" + std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream output(path, std::ios::binary);
  output.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
}

// Deterministic pseudo-random bytes, so a misplaced resume shows up as a sum mismatch.
inline std::string fixture_bytes(size_t size, unsigned seed = 7) {
  std::mt19937 generator(seed);
  std::string  bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(generator() & 0xff);
  return bytes;
}

class RangeServer {
 public:
  explicit RangeServer(const std::filesystem::path& root, bool redirect = false)
      : log_path_(root.string() + ".requests.log") {
    int output[2];
    if (pipe(output) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(output[1], STDOUT_FILENO);
      close(output[0]);
      close(output[1]);
      const std::string script = std::string(FPT_SOURCE_DIR) + "/tests/tools/range_http_server.py";
      std::vector<std::string> args = {"python3",     script,  "--root",
                                       root.string(), "--log", log_path_};
      if (redirect) args.push_back("--redirect");
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    close(output[1]);
    FILE* stream   = fdopen(output[0], "r");
    char  line[64] = {0};
    if (stream == nullptr || std::fgets(line, sizeof line, stream) == nullptr) {
      stop();
      throw std::runtime_error("range_http_server.py did not print its port");
    }
    std::fclose(stream);
    port_ = std::stoi(line);
  }
  ~RangeServer() { stop(); }
  RangeServer(const RangeServer&)            = delete;
  RangeServer& operator=(const RangeServer&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The request log, one JSON object per line: {"path", "range", "status"}.
  std::vector<std::string> requests() const {
    std::vector<std::string> lines;
    std::ifstream            input(log_path_);
    for (std::string line; std::getline(input, line);) lines.push_back(line);
    return lines;
  }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  pid_t       pid_  = -1;
  int         port_ = 0;
  std::string log_path_;
};

}  // namespace fpt::io::testing
